# The analytics command line for the compose stack, as a native executable. Build context: the
# repository root.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# Native AOT links with a C toolchain, against zlib.
RUN apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN arch=$(case "$(uname -m)" in (aarch64) echo arm64 ;; (*) echo x64 ;; esac) \
    && dotnet publish GameApi.Analytics -c Release -r linux-$arch -o /app

# No .NET runtime needed: only the native libraries' own dependencies (libstdc++, OpenSSL).
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
WORKDIR /app
COPY --from=build /app .
ENTRYPOINT ["/app/gameapi-analytics"]
