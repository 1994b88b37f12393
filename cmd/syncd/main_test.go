package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"medisecure/sync/server/boltstore"
)

func TestRunRefuses(t *testing.T) {
	dir := t.TempDir()
	aFile := filepath.Join(dir, "a-file")
	os.WriteFile(aFile, []byte("x"), 0o600)
	garbage := filepath.Join(dir, "garbage")
	os.MkdirAll(garbage, 0o700)
	os.WriteFile(filepath.Join(garbage, dataFile), []byte("Ada Lovelace's chart, not a database at all"), 0o600)
	locked := filepath.Join(dir, "locked")
	os.MkdirAll(locked, 0o700)
	holder, err := boltstore.Open(filepath.Join(locked, dataFile))
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	data := filepath.Join(dir, "data")

	tests := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"no data directory", []string{"--listen", "127.0.0.1:0"}, exitUsage, "--data is required"},
		{"unknown flag", []string{"--data", data, "--port", "1"}, exitUsage, "flag provided but not defined"},
		{"stray argument", []string{"--data", data, "serve"}, exitUsage, "unexpected argument"},
		{"listen not host:port", []string{"--data", data, "--listen", "nonsense"}, exitUsage, "is not host:port"},
		{"all interfaces without TLS", []string{"--data", data, "--listen", ":0"}, exitUsage, "TLS is required"},
		{"public address without TLS", []string{"--data", data, "--listen", "192.0.2.10:7443"}, exitUsage, "TLS is required"},
		{"host name without TLS", []string{"--data", data, "--listen", "sync.example.org:7443"}, exitUsage, "TLS is required"},
		{"certificate without key", []string{"--data", data, "--tls-cert", "c.pem"}, exitUsage, "go together"},
		{"missing certificate files", []string{"--data", data, "--tls-cert", "c.pem", "--tls-key", "k.pem"}, exitUsage, "cannot load the TLS certificate"},
		{"data is a file", []string{"--data", aFile}, exitStorage, "cannot create the data directory"},
		{"data file is not a store", []string{"--data", garbage}, exitStorage, "not a sync server data file"},
		{"data file in use", []string{"--data", locked}, exitStorage, "in use"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if err == nil {
				t.Fatal("run succeeded")
			}
			if code := exitCode(err); code != tt.code {
				t.Errorf("exit code %d, want %d (%v)", code, tt.code, err)
			}
			msg := message(err)
			if !strings.Contains(msg, tt.says) {
				t.Errorf("message %q does not say %q", msg, tt.says)
			}
			if strings.Contains(msg, "\n") || strings.Contains(msg, "boltstore:") || strings.Contains(msg, "goroutine") {
				t.Errorf("message is not one plain sentence: %q", msg)
			}
		})
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Error("a refused command line created the data directory")
	}
}

func TestHelp(t *testing.T) {
	var stdout strings.Builder
	if err := run(context.Background(), []string{"--help"}, &stdout, io.Discard); err != nil {
		t.Fatalf("--help: %v", err)
	}
	if !strings.Contains(stdout.String(), "usage: syncd --listen ADDR --data DIR") {
		t.Fatalf("--help printed %q", stdout.String())
	}
}

// serve runs syncd with args until the test ends and returns the address
// it listens on.
func serve(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, w, io.Discard)
		w.Close()
	}()
	lines := bufio.NewScanner(r)
	if !lines.Scan() {
		cancel()
		t.Fatalf("syncd printed nothing: %v", <-done)
	}
	first := lines.Text()
	go func() {
		for lines.Scan() {
		}
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run after its context ended: %v", err)
		}
	})
	_, rest, ok := strings.Cut(first, "listening on ")
	if !ok {
		t.Fatalf("syncd printed %q", first)
	}
	return strings.Fields(rest)[0]
}

func checkHealth(t *testing.T, addr string, creds credentials.TransportCredentials) {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || resp.Status != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health check: %v, %v", resp, err)
	}
}

func TestServesPlaintextOnLoopback(t *testing.T) {
	t.Setenv(tokenEnv, "from-the-environment")
	data := filepath.Join(t.TempDir(), "data")
	addr := serve(t, "--listen", "127.0.0.1:0", "--data", data)
	checkHealth(t, addr, insecure.NewCredentials())
	if _, err := os.Stat(filepath.Join(data, dataFile)); err != nil {
		t.Fatalf("no data file: %v", err)
	}
}

func TestServesTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	addr := serve(t, "--listen", "127.0.0.1:0", "--data", filepath.Join(dir, "data"), "--tls-cert", certFile, "--tls-key", keyFile)
	checkHealth(t, addr, credentials.NewTLS(&tls.Config{RootCAs: pool, ServerName: "localhost"}))
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:1": true, "127.3.4.5:1": true, "[::1]:1": true, "localhost:1": true, "LOCALHOST:1": true,
		":1": false, "0.0.0.0:1": false, "[::]:1": false, "10.0.0.1:1": false, "clinic.example:1": false, "garbage": false,
	} {
		if got := loopback(addr); got != want {
			t.Errorf("loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// selfSigned writes a certificate for localhost and 127.0.0.1 and its key,
// and returns their files and a pool trusting the certificate.
func selfSigned(t *testing.T, dir string) (string, string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "syncd test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestRegisterToken(t *testing.T) {
	t.Setenv(tokenEnv, "from-the-environment")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--data", "d"}, "from-the-environment"},
		{[]string{"--data", "d", "--register-token", "from-the-flag"}, "from-the-flag"},
	} {
		cfg, err := parse(tt.args, io.Discard)
		if err != nil || cfg.token != tt.want {
			t.Errorf("parse(%q): token %q, %v; want %q", tt.args, cfg.token, err, tt.want)
		}
	}
}
