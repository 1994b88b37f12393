package auth

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"medisecure/sync/wire"
)

// Domain strings of the signed statements.
const (
	deviceDomain     = "medisecure device record v1\x00"
	revocationDomain = "medisecure revocation v1\x00"
	adminCertDomain  = "medisecure admin cert v1\x00"
)

// RootSigner is the signer VerifyDevice and VerifyRevocation report for a
// statement the org root key signed; an admin's is "admin " and the name.
const RootSigner = "root"

// CertifyAdmin returns the org root key's certificate of an admin's signing
// key. A zero notAfter means the certificate does not expire. It returns
// ErrMalformed when a name is not UTF-8.
func CertifyAdmin(org, admin string, adminPub ed25519.PublicKey, notAfter time.Time, root ed25519.PrivateKey) (*wire.AdminCert, error) {
	c := &wire.AdminCert{OrgId: org, Admin: admin, PublicKey: adminPub}
	if !notAfter.IsZero() {
		c.NotAfterUnixMs = notAfter.UnixMilli()
	}
	msg, err := statement(adminCertDomain, c)
	if err != nil {
		return nil, fmt.Errorf("%w: admin certificate: %v", ErrMalformed, err)
	}
	c.RootSignature = ed25519.Sign(root, msg)
	return c, nil
}

// SignDevice endorses a device record with key: the org root key when cert
// is nil, otherwise the admin key cert certifies. It returns ErrMalformed
// when an ID is not UTF-8.
func SignDevice(rec *wire.DeviceRecord, key ed25519.PrivateKey, cert *wire.AdminCert) (*wire.SignedDevice, error) {
	e, err := endorse(deviceDomain, rec, key, cert)
	if err != nil {
		return nil, err
	}
	return &wire.SignedDevice{Record: rec, Endorsement: e}, nil
}

// SignRevocation endorses a revocation with key: the org root key when
// cert is nil, otherwise the admin key cert certifies. It returns
// ErrMalformed when an ID is not UTF-8.
func SignRevocation(rev *wire.Revocation, key ed25519.PrivateKey, cert *wire.AdminCert) (*wire.SignedRevocation, error) {
	e, err := endorse(revocationDomain, rev, key, cert)
	if err != nil {
		return nil, err
	}
	return &wire.SignedRevocation{Revocation: rev, Endorsement: e}, nil
}

// Signer signs a message with a key it keeps to itself: the org root key
// sealed in a workstation's store, say. It returns an Ed25519 signature.
type Signer func(msg []byte) ([]byte, error)

// SignDeviceWith is SignDevice for a key behind sign: the org root key when
// cert is nil, otherwise the admin key cert certifies. It returns
// ErrMalformed when an ID is not UTF-8 or sign returns no signature, and
// sign's own error when it fails.
func SignDeviceWith(rec *wire.DeviceRecord, sign Signer, cert *wire.AdminCert) (*wire.SignedDevice, error) {
	e, err := endorseWith(deviceDomain, rec, sign, cert)
	if err != nil {
		return nil, err
	}
	return &wire.SignedDevice{Record: rec, Endorsement: e}, nil
}

// SignRevocationWith is SignRevocation for a key behind sign.
func SignRevocationWith(rev *wire.Revocation, sign Signer, cert *wire.AdminCert) (*wire.SignedRevocation, error) {
	e, err := endorseWith(revocationDomain, rev, sign, cert)
	if err != nil {
		return nil, err
	}
	return &wire.SignedRevocation{Revocation: rev, Endorsement: e}, nil
}

// VerifyDevice checks a signed device record against the org root key at
// now and returns who signed it (RootSigner or "admin NAME"). It returns
// ErrMalformed, ErrBadSignature or ErrCertExpired.
func VerifyDevice(sd *wire.SignedDevice, root ed25519.PublicKey, now time.Time) (string, error) {
	rec := sd.GetRecord()
	switch {
	case rec == nil:
		return "", fmt.Errorf("%w: no device record", ErrMalformed)
	case rec.OrgId == "" || rec.DeviceId == "":
		return "", fmt.Errorf("%w: device record names no org or device", ErrMalformed)
	case len(rec.PublicKey) != ed25519.PublicKeySize:
		return "", fmt.Errorf("%w: device key is %d bytes, not %d", ErrMalformed, len(rec.PublicKey), ed25519.PublicKeySize)
	}
	return verifyEndorsement(deviceDomain, rec, rec.OrgId, sd.GetEndorsement(), root, now)
}

// VerifyRevocation checks a signed revocation against the org root key at
// now and returns who signed it. It returns ErrMalformed, ErrBadSignature
// or ErrCertExpired.
func VerifyRevocation(sr *wire.SignedRevocation, root ed25519.PublicKey, now time.Time) (string, error) {
	rev := sr.GetRevocation()
	switch {
	case rev == nil:
		return "", fmt.Errorf("%w: no revocation", ErrMalformed)
	case rev.OrgId == "" || rev.DeviceId == "":
		return "", fmt.Errorf("%w: revocation names no org or device", ErrMalformed)
	case rev.NewEpoch == 0:
		return "", fmt.Errorf("%w: revocation has no new epoch", ErrMalformed)
	}
	return verifyEndorsement(revocationDomain, rev, rev.OrgId, sr.GetEndorsement(), root, now)
}

// endorse signs a statement.
func endorse(domain string, stmt proto.Message, key ed25519.PrivateKey, cert *wire.AdminCert) (*wire.Endorsement, error) {
	msg, err := statement(domain, stmt)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return &wire.Endorsement{Admin: cert, Signature: ed25519.Sign(key, msg)}, nil
}

// endorseWith signs a statement through sign.
func endorseWith(domain string, stmt proto.Message, sign Signer, cert *wire.AdminCert) (*wire.Endorsement, error) {
	msg, err := statement(domain, stmt)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	sig, err := sign(msg)
	if err != nil {
		return nil, err
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: the signer returned %d bytes, not a signature", ErrMalformed, len(sig))
	}
	return &wire.Endorsement{Admin: cert, Signature: sig}, nil
}

// verifyEndorsement checks e on stmt of org: signed by root itself, or by
// an admin whose certificate root signed for the same org and that has not
// ended at now.
func verifyEndorsement(domain string, stmt proto.Message, org string, e *wire.Endorsement, root ed25519.PublicKey, now time.Time) (string, error) {
	if len(root) != ed25519.PublicKeySize {
		return "", fmt.Errorf("%w: root key is %d bytes", ErrMalformed, len(root))
	}
	if e == nil || len(e.Signature) != ed25519.SignatureSize {
		return "", fmt.Errorf("%w: statement is not signed", ErrMalformed)
	}
	signer, signerKey := RootSigner, root
	if c := e.Admin; c != nil {
		if err := verifyAdminCert(c, org, root, now); err != nil {
			return "", err
		}
		signer, signerKey = "admin "+c.Admin, ed25519.PublicKey(c.PublicKey)
	}
	msg, err := statement(domain, stmt)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !ed25519.Verify(signerKey, msg, e.Signature) {
		return "", fmt.Errorf("%w: statement signed by %s", ErrBadSignature, signer)
	}
	return signer, nil
}

// verifyAdminCert checks that root certified the admin key for org and that
// the certificate holds at now.
func verifyAdminCert(c *wire.AdminCert, org string, root ed25519.PublicKey, now time.Time) error {
	switch {
	case len(c.PublicKey) != ed25519.PublicKeySize || len(c.RootSignature) != ed25519.SignatureSize:
		return fmt.Errorf("%w: admin certificate has keys of the wrong size", ErrMalformed)
	case c.OrgId != org:
		return fmt.Errorf("%w: admin certificate is for another organisation", ErrBadSignature)
	}
	unsigned := proto.Clone(c).(*wire.AdminCert)
	unsigned.RootSignature = nil
	msg, err := statement(adminCertDomain, unsigned)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !ed25519.Verify(root, msg, c.RootSignature) {
		return fmt.Errorf("%w: admin certificate of %s is not signed by the org root key", ErrBadSignature, c.Admin)
	}
	if c.NotAfterUnixMs != 0 && now.UnixMilli() > c.NotAfterUnixMs {
		return fmt.Errorf("%w: %s's ended %s", ErrCertExpired, c.Admin, time.UnixMilli(c.NotAfterUnixMs).UTC().Format(time.RFC3339))
	}
	return nil
}

// statement is the message signed for stmt.
func statement(domain string, stmt proto.Message) ([]byte, error) {
	body, err := deterministic.Marshal(stmt)
	if err != nil {
		return nil, err
	}
	return append([]byte(domain), body...), nil
}
