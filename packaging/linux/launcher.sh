#!/bin/sh
# /usr/bin/agent-copilot: starts the bundle installed in /usr/lib/agent-copilot.
# Found relative to this script, so an unpacked package (dpkg-deb -x) runs from where it lies.
here=$(dirname "$(readlink -f "$0")")
exec "$here/../lib/agent-copilot/agent-copilot" "$@"
