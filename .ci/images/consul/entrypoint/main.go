// Command docker-entrypoint is the entrypoint of the locally built stand-in for the
// public hashicorp/consul image (see .ci/prepare-images). That image is FROM scratch
// and has no shell, so this small program does, in Go, what the official image's
// docker-entrypoint.sh does for the ways this project runs it:
//
//   - first argument starts with "-"       -> consul ARGS...        (as the official script)
//   - agent ARGS...                        -> consul agent -data-dir=/consul/data
//     -config-dir=/consul/config [-bind=..] [-client=..] ARGS...
//   - version, or any other consul subcommand -> consul SUBCOMMAND ARGS...
//   - anything else                        -> executed as given (looked up in PATH)
//
// CONSUL_LOCAL_CONFIG (JSON written to /consul/config/local.json), CONSUL_BIND_INTERFACE
// and CONSUL_CLIENT_INTERFACE are honoured as in the official script. Unlike the official
// image, consul runs as root (there is no su-exec and no consul user in a scratch image).
//
// Standard library only; build with CGO_ENABLED=0.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

const (
	consulBin = "/bin/consul"
	dataDir   = "/consul/data"
	configDir = "/consul/config"
)

func main() {
	args := os.Args[1:]
	if len(args) == 0 {
		args = []string{"agent", "-dev", "-client", "0.0.0.0"}
	}

	if cfg := os.Getenv("CONSUL_LOCAL_CONFIG"); cfg != "" {
		if err := os.WriteFile(configDir+"/local.json", []byte(cfg+"\n"), 0o644); err != nil {
			fatal("writing CONSUL_LOCAL_CONFIG: %v", err)
		}
	}

	if strings.HasPrefix(args[0], "-") {
		args = append([]string{"consul"}, args...)
	}

	switch {
	case args[0] == "agent":
		full := []string{"consul", "agent", "-data-dir=" + dataDir, "-config-dir=" + configDir}
		if ip := interfaceIPv4("CONSUL_BIND_INTERFACE"); ip != "" {
			full = append(full, "-bind="+ip)
		}
		if ip := interfaceIPv4("CONSUL_CLIENT_INTERFACE"); ip != "" {
			full = append(full, "-client="+ip)
		}
		args = append(full, args[1:]...)
	case args[0] == "version" || isConsulSubcommand(args[0]):
		args = append([]string{"consul"}, args...)
	}

	path := args[0]
	if args[0] == "consul" {
		path = consulBin
	} else if p, err := exec.LookPath(args[0]); err == nil {
		path = p
	}
	if err := syscall.Exec(path, args, os.Environ()); err != nil {
		fatal("exec %s: %v", path, err)
	}
}

// isConsulSubcommand tells whether name is one of the commands listed by `consul --help`.
func isConsulSubcommand(name string) bool {
	if name == "" || name == "consul" {
		return false
	}
	var out bytes.Buffer
	cmd := exec.Command(consulBin, "--help")
	cmd.Stdout, cmd.Stderr = &out, &out
	_ = cmd.Run() // exits non-zero after printing help
	sc := bufio.NewScanner(&out)
	listing := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "Available commands are:") {
			listing = true
			continue
		}
		if listing {
			if f := strings.Fields(line); len(f) > 0 && f[0] == name {
				return true
			}
		}
	}
	return false
}

// interfaceIPv4 returns the first IPv4 address of the interface named by env var key, or "".
func interfaceIPv4(key string) string {
	name := os.Getenv(key)
	if name == "" {
		return ""
	}
	iface, err := net.InterfaceByName(name)
	if err != nil {
		fatal("%s=%s: %v", key, name, err)
	}
	addrs, err := iface.Addrs()
	if err != nil {
		fatal("%s=%s: %v", key, name, err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
			fmt.Fprintf(os.Stderr, "==> Found address '%s' for interface '%s', setting %s option...\n",
				n.IP, name, strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(key, "CONSUL_"), "_INTERFACE")))
			return n.IP.String()
		}
	}
	fatal("could not find IP for interface '%s', exiting", name)
	return ""
}

func fatal(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "docker-entrypoint: "+format+"\n", a...)
	os.Exit(1)
}
