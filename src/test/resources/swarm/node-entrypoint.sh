# The start of a simulated Swarm node: a Docker engine in a container (Docker-in-Docker) that is
# not privileged. Its cgroup controllers come mounted read-only: mount them again read-write
# (cgroup v1: each controller; v2: the one hierarchy), then run dockerd under a cgroup of its own.
set -eu
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  mount -o remount,rw /sys/fs/cgroup
else
  grep ' cgroup ' /proc/self/mounts | while read -r _ path _ options _; do
    controllers=$(echo "$options" | tr ',' '\n' | grep -v -x -E 'ro|rw|nosuid|nodev|noexec|relatime' | paste -sd, -)
    umount "$path"
    mount -t cgroup -o "$controllers" cgroup "$path"
  done
fi
# A node that was killed and is started again finds the pid files of its dead engine.
rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid
exec dockerd --cgroup-parent="/$(hostname)"
