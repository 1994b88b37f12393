#!/usr/bin/env bash
# regen.sh regenerates sync.pb.go and sync_grpc.pb.go from sync.proto, and
# invite.pb.go and invite_grpc.pb.go from invite.proto, and documents.pb.go
# and documents_grpc.pb.go from documents.proto. It
# installs protoc (Debian's protobuf-compiler) and the pinned protoc plugins
# when they are missing or of another version, then runs `go generate` here.
# Run it from anywhere; `make proto` calls it.
set -euo pipefail

# The plugin versions the committed code was generated with. Bump them here
# and rerun; wire_test.go compares against the headers of the committed files.
PROTOC_GEN_GO=v1.36.12
PROTOC_GEN_GO_GRPC=v1.6.2

cd "$(dirname "$0")"

if ! command -v protoc >/dev/null 2>&1; then
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq protobuf-compiler libprotobuf-dev
fi

gobin="$(go env GOBIN)"
if [ -z "$gobin" ]; then gobin="$(go env GOPATH)/bin"; fi
export PATH="$gobin:$PATH"

if ! protoc-gen-go --version 2>/dev/null | grep -qx "protoc-gen-go $PROTOC_GEN_GO"; then
	go install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO"
fi
if ! protoc-gen-go-grpc --version 2>/dev/null | grep -qx "protoc-gen-go-grpc ${PROTOC_GEN_GO_GRPC#v}"; then
	go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC"
fi

go generate .
echo "regenerated sync/wire with $(protoc --version), protoc-gen-go $PROTOC_GEN_GO, protoc-gen-go-grpc $PROTOC_GEN_GO_GRPC"
