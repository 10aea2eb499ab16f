# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022

SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue';"]

ENV APP_VERSION 2.4.1
ENV APP_SHA256 5f2c4d0e4c2d0b8e6a1f3e9b7c1d2a4f6e8b0c2d4f6a8b0c2e4f6a8b0c2d4f6a

RUN $url = ('https://example.org/releases/app-{0}-win64.zip' -f $env:APP_VERSION); `
    Write-Host ('Downloading {0} ...' -f $url); `
    Invoke-WebRequest -Uri $url -OutFile 'app.zip'; `
    if ((Get-FileHash app.zip -Algorithm sha256).Hash -ne $env:APP_SHA256) { `
        Write-Host 'FAILED!'; `
        exit 1; `
    }; `
    Expand-Archive app.zip -DestinationPath C:\app; `
    Remove-Item app.zip -Force; `
    $env:PATH = 'C:\app\bin;' + $env:PATH; `
    [Environment]::SetEnvironmentVariable('PATH', $env:PATH, [EnvironmentVariableTarget]::Machine); `
    app --version

WORKDIR C:\app
CMD ["app", "serve"]
