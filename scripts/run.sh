#!/usr/bin/env bash
# The README's run command: `sudo scripts/run.sh [--publish-only] [netlab up options...]`.
# On a fresh Debian 12 machine with the .NET 10 SDK it installs the Debian packages NetLab needs, publishes the native
# `netlab` and the web into one folder (NETLAB_HOME, default artifacts/netlab/: netlab, web/, web/labs/), and execs
# `netlab up` with the other arguments (--url, --data, --socket, --web-user, --certificate, --trusted-proxy), which prints the URL and
# runs until Ctrl-C. A second run skips publishing when no input changed. --publish-only publishes and stops (the
# server install in docs/deploy.md copies the folder to /opt/netlab).
set -euo pipefail
cd "$(dirname "$0")/.."
repository=$PWD

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/run.sh: NetLab's agent creates network namespaces and links, and this script installs packages; run it as root: sudo scripts/run.sh" >&2
  exit 2
fi

publish_only=0
up_arguments=()
for argument in "$@"; do
  if [ "$argument" = "--publish-only" ]; then publish_only=1; else up_arguments+=("$argument"); fi
done

home=${NETLAB_HOME:-$repository/artifacts/netlab}
case "$home" in /*) ;; *) home="$repository/$home" ;; esac
stamp="$home/.published-from"

# The web runs as an unprivileged user, so what it reads must be readable by others; root's umask may be stricter.
umask 022

# 1. Debian packages: clang and zlib1g-dev link the native `netlab` (Native AOT); util-linux (setpriv, setsid) and
#    passwd (useradd) are how `netlab up` starts the web as its own user; iproute2 is the `ip` the labs teach.
#    apt-get update only when something is missing.
packages=(clang zlib1g-dev iproute2 util-linux passwd)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]} (apt-get)"
  apt-get update -qq || { echo "scripts/run.sh: apt-get update failed" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "scripts/run.sh: apt-get install ${missing[*]} failed" >&2; exit 1; }
fi

# 2. The .NET SDK. sudo resets PATH, so an SDK installed for the invoking user (dotnet-install.sh puts it in ~/.dotnet)
#    is looked for too. `netlab up` starts the web with the dotnet on PATH.
if ! command -v dotnet >/dev/null; then
  invoking_home=$(getent passwd "${SUDO_USER:-root}" | cut -d: -f6)
  for folder in "${DOTNET_ROOT:-}" /usr/share/dotnet /usr/lib/dotnet /usr/local/share/dotnet "$invoking_home/.dotnet"; do
    if [ -n "$folder" ] && [ -x "$folder/dotnet" ]; then
      export PATH="$folder:$PATH" DOTNET_ROOT="$folder"
      break
    fi
  done
fi
command -v dotnet >/dev/null || {
  echo "scripts/run.sh: the .NET 10 SDK is not installed (no dotnet on PATH): https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  exit 1
}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# 3. The web runs as the unprivileged `netlab` user: it must be able to enter every folder down to the published web
#    and to the .NET runtime. A clone in a private home folder (0700) cannot be served from; say so before publishing
#    rather than let the web fail after it.
unreachable_folder() {
  local folder=$1 mode
  while [ "$folder" != "/" ]; do
    if [ -d "$folder" ]; then
      mode=$(stat -c %A "$folder")
      case "${mode:9:1}" in x|t) ;; *) echo "$folder"; return ;; esac
    fi
    folder=$(dirname "$folder")
  done
}
if [ "$publish_only" -eq 0 ]; then
  for needed in "$(readlink -m "$home/web")" "$(dirname "$(readlink -f "$(command -v dotnet)")")"; do
    blocked=$(unreachable_folder "$needed")
    if [ -n "$blocked" ]; then
      echo "scripts/run.sh: the web runs as the unprivileged user netlab, which cannot enter $blocked ($(stat -c %A "$blocked")) to reach $needed." >&2
      echo "  Publish where others can read, e.g. sudo NETLAB_HOME=/opt/netlab scripts/run.sh, or clone NetLab outside $blocked." >&2
      exit 1
    fi
  done
fi

# 4. Publish, unless the folder already holds a publish of exactly these inputs: the stamp is a hash of every input
#    file's path and content (bin/ and obj/ left out), of this script (the publish commands) and of the SDK's version.
inputs_hash() {
  local inputs=() input
  for input in src db wwwroot labs Directory.Build.props Directory.Packages.props global.json NuGet.config nuget.config scripts/run.sh; do
    [ -e "$input" ] && inputs+=("$input")
  done
  {
    dotnet --version
    find "${inputs[@]}" -type f -not -path '*/bin/*' -not -path '*/obj/*' -not -path '*/node_modules/*' -print0 \
      | sort -z | xargs -0 sha256sum
  } | sha256sum | cut -d' ' -f1
}

hash=$(inputs_hash)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] && [ -x "$home/netlab" ] && [ -f "$home/web/NetLab.Web.dll" ]; then
  echo "== $home is up to date (no source changed since its publish); not publishing"
else
  rm -f "$stamp"
  mkdir -p "$home"
  # --disable-build-servers: no compiler or MSBuild server is left running as root after this script (or Ctrl-C).
  echo "== publishing the native netlab into $home (about 2 minutes the first time)"
  dotnet publish src/NetLab.Cli -c Release -o "$home" --disable-build-servers -nologo -v quiet \
    || { echo "scripts/run.sh: the native publish of netlab failed" >&2; exit 1; }
  echo "== publishing the web into $home/web (about a minute the first time)"
  rm -rf "$home/web"
  dotnet publish src/NetLab.Web -c Release -o "$home/web" --disable-build-servers -nologo -v quiet \
    || { echo "scripts/run.sh: the publish of the web failed" >&2; exit 1; }
  # The example labs the dashboard offers as templates, with their guides: the web looks for labs/ from its own
  # folder up, and `netlab up` starts it in web/.
  mkdir -p "$home/web/labs"
  cp labs/*.yaml labs/*.md "$home/web/labs/"
  echo "$hash" > "$stamp"
fi

if [ "$publish_only" -eq 1 ]; then
  echo "== published: $home (netlab, web/, web/labs/); start it with: sudo $home/netlab up"
  exit 0
fi

echo "== starting netlab up (Ctrl-C stops the web and the agent)"
exec "$home/netlab" up "${up_arguments[@]}"
