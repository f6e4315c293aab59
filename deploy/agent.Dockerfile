# The privileged agent: `netlab agent` on /run/netlab/agent.sock. Build from the repository root:
#   docker build -f deploy/agent.Dockerfile .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# `netlab` is compiled ahead of time (Native AOT), which links with clang.
RUN apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/NetLab.Cli -c Release -o /out

# A native executable needs no .NET runtime, only its native dependencies.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
WORKDIR /app
COPY --from=build /out/netlab .
# uid 1654 is the `app` user the web image runs as; root is always admitted.
ENTRYPOINT ["/app/netlab", "agent", "--allow-uid", "1654"]
