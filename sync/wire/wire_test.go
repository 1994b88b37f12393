package wire

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// generated are the files protoc writes from sync.proto.
var generated = []string{"sync.pb.go", "sync_grpc.pb.go"}

// TestGeneratedCodeIsCurrent regenerates the code into a temporary directory
// with the go:generate line of gen.go and fails when it differs from the
// committed files. Without protoc and the plugins (as in CI, which has only
// Go) it skips; regen.sh installs them.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	for _, tool := range []string{"protoc", "protoc-gen-go", "protoc-gen-go-grpc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not on PATH, so the committed generated code cannot be checked; run sync/wire/regen.sh to install the tools", tool)
		}
	}
	checkPluginVersion(t, "protoc-gen-go", "sync.pb.go", `(?m)^// \tprotoc-gen-go (v\S+)$`, "%s")
	checkPluginVersion(t, "protoc-gen-go-grpc", "sync_grpc.pb.go", `(?m)^// - protoc-gen-go-grpc (v\S+)$`, "v%s")

	args := generateArgs(t)
	dir := filepath.Join(t.TempDir(), "sync", "wire")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	proto, err := os.ReadFile("sync.proto")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sync.proto"), proto, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	for _, name := range generated {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(withoutProtocVersion(got), withoutProtocVersion(want)) {
			t.Errorf("%s is stale: sync.proto changed since it was generated; run sync/wire/regen.sh (make proto) and commit the result", name)
		}
	}
}

// checkPluginVersion skips the test when the plugin on PATH is not the one
// the committed file names in its header: its output would differ for that
// reason alone.
func checkPluginVersion(t *testing.T, plugin, file, header, format string) {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(header).FindSubmatch(src)
	if m == nil {
		t.Fatalf("%s has no %s version line in its header", file, plugin)
	}
	out, err := exec.Command(plugin, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", plugin, err)
	}
	fields := strings.Fields(string(out))
	if len(fields) == 0 {
		t.Fatalf("%s --version printed nothing", plugin)
	}
	have := fields[len(fields)-1]
	want := string(m[1])
	if strings.TrimPrefix(want, "v") != strings.TrimPrefix(have, "v") {
		t.Skipf("%s on PATH is %s but %s was generated with %s; run sync/wire/regen.sh to install the pinned version", plugin, have, file, want)
	}
}

// generateArgs reads the command of the go:generate line in gen.go, so the
// test and `go generate` cannot drift apart.
func generateArgs(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("gen.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "//go:generate "); ok {
			return strings.Fields(rest)
		}
	}
	t.Fatal("gen.go has no //go:generate line")
	return nil
}

// protocVersion matches the header line naming the protoc version, which
// differs between machines without changing the code.
var protocVersion = regexp.MustCompile(`(?m)^// (\t|- )protoc +v\S+\n`)

func withoutProtocVersion(src []byte) []byte {
	return protocVersion.ReplaceAll(src, nil)
}

// TestRequestsCarryAuth makes sure every request type round-trips its Auth
// through SetAuth and GetAuth, which signing relies on.
func TestRequestsCarryAuth(t *testing.T) {
	reqs := map[string]Request{
		"Register":     &RegisterRequest{},
		"Push":         &PushRequest{},
		"Pull":         &PullRequest{},
		"AddDevice":    &AddDeviceRequest{},
		"RevokeDevice": &RevokeDeviceRequest{},
		"Devices":      &DevicesRequest{},
	}
	methods := Sync_ServiceDesc.Methods
	if n := len(methods) + len(Sync_ServiceDesc.Streams); n != len(reqs) {
		t.Fatalf("the service has %d methods, the test knows %d", n, len(reqs))
	}
	for name, r := range reqs {
		t.Run(name, func(t *testing.T) {
			a := &Auth{OrgId: "org", DeviceId: "dev"}
			r.SetAuth(a)
			if r.GetAuth() != a {
				t.Fatal("SetAuth did not set the Auth GetAuth returns")
			}
		})
	}
}
