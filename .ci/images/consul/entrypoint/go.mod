module hello/ci/consul-entrypoint

go 1.26
