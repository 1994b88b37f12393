package client_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"medisecure/sync/client"
	"medisecure/sync/server"
	"medisecure/sync/server/boltstore"
)

// A server with a certificate is reached over TLS by a client that trusts
// its CA file, and refused by one that does not.
func TestSyncOverTLS(t *testing.T) {
	cert, caFile := selfSigned(t)
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "syncd.db"))
	must(t, err)
	srv, err := server.New(server.Config{Backend: st, RegisterToken: testToken, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	must(t, err)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	creds := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	go func() { srv.Serve(ctx, lis, grpc.Creds(creds)); close(done) }()
	t.Cleanup(func() { cancel(); <-done; st.Close() })
	addr := lis.Addr().String()

	w := newOrg(t, 1)[0]
	conn, err := client.Dial(addr, client.DialOptions{CAFile: caFile})
	must(t, err)
	defer conn.Close()
	if _, err := client.New(conn, w.admin, fastOptions(addr)).SyncOnce(context.Background()); err != nil {
		t.Fatalf("sync over TLS: %v", err)
	}
	// Plaintext to a TLS server (loopback allows it) cannot talk to it.
	plain, err := client.Dial(addr, client.DialOptions{ReconnectMax: 50 * time.Millisecond})
	must(t, err)
	defer plain.Close()
	_, err = client.New(plain, w.admin, fastOptions(addr)).SyncOnce(context.Background())
	wantErr(t, err, client.ErrUnreachable)
	// TLS trusting only the system's authorities refuses the certificate.
	other, err := client.Dial(addr, client.DialOptions{TLS: &tls.Config{MinVersion: tls.VersionTLS12}, ReconnectMax: 50 * time.Millisecond})
	must(t, err)
	defer other.Close()
	_, err = client.New(other, w.admin, fastOptions(addr)).SyncOnce(context.Background())
	wantErr(t, err, client.ErrUnreachable)
	if !strings.Contains(err.Error(), "certificate") {
		t.Errorf("error %q does not mention the certificate", err)
	}
}

// selfSigned makes a certificate for 127.0.0.1 that is its own CA, and
// writes the CA file.
func selfSigned(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "syncd test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	must(t, err)
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	must(t, err)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	must(t, os.WriteFile(caFile, certPEM, 0o600))
	return cert, caFile
}
