# The API for the compose stack. Build context: the repository root (see docker-compose.yml).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish GameApi.Web -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# curl for the compose healthcheck (GET /health/ready); the image has neither curl nor wget.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The published files stay owned by root: the app user can read them, not change them.
COPY --from=build /app .
# The spool (Spool:Path = spool/events.db under the content root /app) is the one place the API writes.
# Created here, owned by the image's non-root user "app" (uid $APP_UID), so a new named volume
# mounted on /app/spool starts with this owner and is writable.
RUN install -d -o "$APP_UID" -g "$APP_UID" -m 0755 /app/spool
# The port compose publishes, its health check curls and Prometheus scrapes. The base image sets this
# variable already; it is repeated here to say so. ASPNETCORE_URLS as well would make Kestrel warn at
# every start ("Overriding HTTP_PORTS").
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "GameApi.Web.dll"]
