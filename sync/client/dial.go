package client

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"medisecure/sync/envelope"
)

// DialOptions choose how Dial reaches the server.
type DialOptions struct {
	// Insecure allows plaintext to an address that is not loopback.
	// Plaintext to loopback needs no flag, as syncd listens in plaintext
	// only on loopback unless its operator also says --insecure.
	Insecure bool
	// CAFile is a PEM file of the certificate authority that signed the
	// server's certificate; it turns TLS on.
	CAFile string
	// TLS, when set, is used as it is (it overrides CAFile).
	TLS *tls.Config
	// ReconnectMax caps the delay between reconnection attempts of the
	// connection; 0 means 5 seconds. A Client's own retries back off on
	// top of it.
	ReconnectMax time.Duration
}

// maxMessage is the largest gRPC message either way: a batch at the
// envelope's limit and room for the request around it.
const maxMessage = envelope.MaxSize + 1<<20

// Dial returns a connection to the sync server at addr (host:port). It
// speaks TLS when o gives a CA file or a TLS configuration, plaintext to a
// loopback address or when o.Insecure allows it, and otherwise TLS trusting
// the system's certificate authorities. It does not connect yet: the first
// call does, and reconnects after a cut.
func Dial(addr string, o DialOptions) (*grpc.ClientConn, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("client: the server address %q is not host:port, like 127.0.0.1:7443", addr)
	}
	creds, err := o.credentials(addr)
	if err != nil {
		return nil, err
	}
	max := o.ReconnectMax
	if max <= 0 {
		max = 5 * time.Second
	}
	bc := backoff.DefaultConfig
	bc.BaseDelay, bc.MaxDelay = min(100*time.Millisecond, max), max
	conn, err := grpc.NewClient(addr, append(AuthHeaders(),
		grpc.WithTransportCredentials(creds),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: bc, MinConnectTimeout: 5 * time.Second}),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessage), grpc.MaxCallSendMsgSize(maxMessage)),
		grpc.WithUserAgent("medisecure-clinic"),
		grpc.WithInitialWindowSize(1<<20), grpc.WithInitialConnWindowSize(1<<20),
	)...)
	if err != nil {
		return nil, fmt.Errorf("client: connecting to %s: %w", addr, err)
	}
	return conn, nil
}

// credentials picks TLS or plaintext for addr.
func (o DialOptions) credentials(addr string) (credentials.TransportCredentials, error) {
	switch {
	case o.TLS != nil:
		return credentials.NewTLS(o.TLS), nil
	case o.CAFile != "":
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("client: cannot read the CA file %s", o.CAFile)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("client: %s holds no PEM certificate", o.CAFile)
		}
		return credentials.NewTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}), nil
	case o.Insecure || loopback(addr):
		return insecure.NewCredentials(), nil
	}
	return credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12}), nil
}

// loopback reports whether addr's host is a loopback address or
// localhost, where plaintext never leaves the machine.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
