package wire

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocumentsCodeIsCurrent is TestGeneratedCodeIsCurrent for
// documents.proto, which imports sync.proto: it regenerates
// documents.pb.go and documents_grpc.pb.go with the third go:generate line
// of gen.go and fails when they differ from the committed files.
func TestDocumentsCodeIsCurrent(t *testing.T) {
	for _, tool := range []string{"protoc", "protoc-gen-go", "protoc-gen-go-grpc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not on PATH, so the committed generated code cannot be checked; run sync/wire/regen.sh to install the tools", tool)
		}
	}
	checkPluginVersion(t, "protoc-gen-go", "documents.pb.go", `(?m)^// \tprotoc-gen-go (v\S+)$`, "%s")
	checkPluginVersion(t, "protoc-gen-go-grpc", "documents_grpc.pb.go", `(?m)^// - protoc-gen-go-grpc (v\S+)$`, "v%s")
	args := generateLine(t, "sync/wire/documents.proto")
	dir := filepath.Join(t.TempDir(), "sync", "wire")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sync.proto", "documents.proto"} {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	for _, name := range []string{"documents.pb.go", "documents_grpc.pb.go"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(withoutProtocVersion(got), withoutProtocVersion(want)) {
			t.Errorf("%s is stale: documents.proto changed since it was generated; run sync/wire/regen.sh (make proto) and commit the result", name)
		}
	}
}

// TestPieceRequestsCarryAuth makes sure every request of the Documents
// service round-trips its Auth, which signing relies on.
func TestPieceRequestsCarryAuth(t *testing.T) {
	a := &Auth{OrgId: "org", DeviceId: "dev"}
	for _, r := range []Request{&HeldPiecesRequest{}, &PutPieceRequest{}, &GetPieceRequest{}} {
		r.SetAuth(a)
		if r.GetAuth() != a {
			t.Fatalf("%T: SetAuth did not set the Auth GetAuth returns", r)
		}
	}
	if n := len(Documents_ServiceDesc.Methods) + len(Documents_ServiceDesc.Streams); n != 3 {
		t.Fatalf("the Documents service has %d methods, the test knows 3", n)
	}
}
