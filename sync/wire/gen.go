package wire

// The generated sync.pb.go and sync_grpc.pb.go (from sync.proto) and
// invite.pb.go and invite_grpc.pb.go (from invite.proto) and documents.pb.go
// and documents_grpc.pb.go (from documents.proto) are committed so
// that a clone builds with Go alone. regen.sh installs protoc and the pinned
// plugins and runs these lines; wire_test.go runs the first and
// invite_test.go the second, and they fail when the committed files are
// stale.
//go:generate protoc --proto_path=../.. --go_out=../.. --go_opt=paths=source_relative --go-grpc_out=../.. --go-grpc_opt=paths=source_relative sync/wire/sync.proto
//go:generate protoc --proto_path=../.. --go_out=../.. --go_opt=paths=source_relative --go-grpc_out=../.. --go-grpc_opt=paths=source_relative sync/wire/invite.proto
//go:generate protoc --proto_path=../.. --go_out=../.. --go_opt=paths=source_relative --go-grpc_out=../.. --go-grpc_opt=paths=source_relative sync/wire/documents.proto
