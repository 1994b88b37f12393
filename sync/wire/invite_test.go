package wire

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInviteCodeIsCurrent is TestGeneratedCodeIsCurrent for invite.proto,
// which imports sync.proto.
func TestInviteCodeIsCurrent(t *testing.T) { checkImportingCode(t, "invite") }

// checkImportingCode regenerates NAME.pb.go and NAME_grpc.pb.go from
// NAME.proto, which imports sync.proto, with its go:generate line of
// gen.go, and fails when they differ from the committed files.
func checkImportingCode(t *testing.T, name string) {
	t.Helper()
	for _, tool := range []string{"protoc", "protoc-gen-go", "protoc-gen-go-grpc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not on PATH, so the committed generated code cannot be checked; run sync/wire/regen.sh to install the tools", tool)
		}
	}
	proto, pb, grpcPB := name+".proto", name+".pb.go", name+"_grpc.pb.go"
	checkPluginVersion(t, "protoc-gen-go", pb, `(?m)^// \tprotoc-gen-go (v\S+)$`, "%s")
	checkPluginVersion(t, "protoc-gen-go-grpc", grpcPB, `(?m)^// - protoc-gen-go-grpc (v\S+)$`, "v%s")

	args := generateLine(t, "sync/wire/"+proto)
	dir := filepath.Join(t.TempDir(), "sync", "wire")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"sync.proto", proto} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	for _, f := range []string{pb, grpcPB} {
		want, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(withoutProtocVersion(got), withoutProtocVersion(want)) {
			t.Errorf("%s is stale: %s changed since it was generated; run sync/wire/regen.sh (make proto) and commit the result", f, proto)
		}
	}
}

// generateLine returns the command of the go:generate line of gen.go that
// names proto.
func generateLine(t *testing.T, proto string) []string {
	t.Helper()
	f, err := os.Open("gen.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		rest, ok := strings.CutPrefix(s.Text(), "//go:generate ")
		if ok && strings.HasSuffix(rest, " "+proto) {
			return strings.Fields(rest)
		}
	}
	t.Fatalf("gen.go has no //go:generate line for %s", proto)
	return nil
}

// TestPutInviteCarriesAuth makes sure Put's request round-trips its Auth,
// which signing relies on, and that Take's carries none.
func TestPutInviteCarriesAuth(t *testing.T) {
	r := &PutInviteRequest{}
	a := &Auth{OrgId: "org", DeviceId: "dev"}
	r.SetAuth(a)
	if r.GetAuth() != a {
		t.Fatal("SetAuth did not set the Auth GetAuth returns")
	}
	if n := len(Invites_ServiceDesc.Methods) + len(Invites_ServiceDesc.Streams); n != 2 {
		t.Fatalf("the Invites service has %d methods, the test knows 2", n)
	}
}
