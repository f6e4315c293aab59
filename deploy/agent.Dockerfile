# The privileged agent: `netlab agent` on /run/netlab/agent.sock. Build from the repository root:
#   docker build -f deploy/agent.Dockerfile .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/NetLab.Cli -c Release -o /out

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /out .
# uid 1654 is the `app` user the web image runs as; root is always admitted.
ENTRYPOINT ["/app/netlab", "agent", "--allow-uid", "1654"]
