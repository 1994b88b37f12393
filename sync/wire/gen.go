package wire

// The generated sync.pb.go and sync_grpc.pb.go are committed so that a clone
// builds with Go alone. regen.sh installs protoc and the pinned plugins and
// runs this line; wire_test.go runs it too and fails when the committed files
// are stale.
//go:generate protoc --proto_path=../.. --go_out=../.. --go_opt=paths=source_relative --go-grpc_out=../.. --go-grpc_opt=paths=source_relative sync/wire/sync.proto
