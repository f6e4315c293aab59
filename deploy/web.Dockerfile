# The unprivileged web dashboard. Build from the repository root:
#   docker build -f deploy/web.Dockerfile .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/NetLab.Web -c Release -o /out

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /out .
# The publish carries the repository's wwwroot/; the example labs are found next to the app, as in the repository.
COPY labs ./labs
USER app
ENTRYPOINT ["dotnet", "/app/NetLab.Web.dll"]
