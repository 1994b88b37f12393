package boltstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"medisecure/sync/server"
)

// Report is what Check found in a data file.
type Report struct {
	// File lists damage to the file as a whole: its layout, or page
	// headers that cannot be right.
	File []string
	// Orgs is one entry per organisation, in ID order.
	Orgs []OrgReport
}

// OrgReport is what Check found in one organisation.
type OrgReport struct {
	ID       string
	Devices  int
	Batches  int
	Problems []string
}

// OK reports whether nothing was found damaged.
func (r Report) OK() bool {
	if len(r.File) > 0 {
		return false
	}
	for _, o := range r.Orgs {
		if len(o.Problems) > 0 {
			return false
		}
	}
	return true
}

// maxProblems is how many problems Check lists per organisation; the rest
// are counted.
const maxProblems = 20

// VerifyFunc checks one stored batch against the device that pushed it
// (its signature, say); Check reports what it returns.
type VerifyFunc func(org string, dev server.Device, b server.Stored) error

// Check reads every record of the data file at path, which no other
// process may have open: the layout, then each organisation's record,
// devices, batches (decoded, and checked by verify when it is not nil)
// and acknowledgements, each organisation on its own so that damage in
// one leaves the others' reports whole; and, when no page was found
// damaged, a check of every page header. It returns an error only when the
// file cannot be opened at all: ErrNotStore, ErrInUse or ErrCorrupt.
func Check(path string, verify VerifyFunc) (Report, error) {
	if _, err := os.Stat(path); err != nil {
		return Report{}, fmt.Errorf("%w: %s: %v", ErrNotStore, path, errors.Unwrap(err))
	}
	var db *bolt.DB
	err := guard(path, func() (err error) {
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
		return err
	})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return Report{}, fmt.Errorf("%w: %s (stop syncd, or check a copy)", ErrInUse, path)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch):
		return Report{}, fmt.Errorf("%w: %s", ErrNotStore, path)
	case err != nil:
		return Report{}, fmt.Errorf("%w: %s cannot be opened: %v", ErrCorrupt, path, err)
	}
	defer db.Close()
	s := &Store{db: db, path: path}
	var r Report
	pagesIntact := true
	if err := s.read("layout", func(tx *bolt.Tx) error { return s.initialiseCheck(tx) }); err != nil {
		r.File = append(r.File, err.Error())
		return r, nil
	}
	var ids []string
	if err := s.read("organisations", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOrgs).ForEachBucket(func(k []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	}); err != nil {
		r.File = append(r.File, err.Error())
		pagesIntact = false
	}
	for _, id := range ids {
		o := OrgReport{ID: id}
		if err := s.read("organisation "+id, func(tx *bolt.Tx) error {
			return checkOrg(tx, &o, verify)
		}); err != nil {
			o.problem("%s", err.Error())
			pagesIntact = false
		}
		r.Orgs = append(r.Orgs, o)
	}
	for _, name := range [][]byte{bucketMeta, bucketNonces, bucketNonceTimes, bucketInvites, bucketInviteTimes, bucketInviteOrgs} {
		if err := s.read(string(name), func(tx *bolt.Tx) error {
			if b := tx.Bucket(name); b != nil {
				walk(b, string(name), func(p string) { r.File = append(r.File, p) })
			}
			return nil
		}); err != nil {
			r.File = append(r.File, err.Error())
			pagesIntact = false
		}
	}
	if pagesIntact && r.OK() {
		r.File = append(r.File, consistency(s)...)
	}
	return r, nil
}

// walk reads every key of b and of the buckets in it, checking that keys
// come in order and that seeking each finds it again (which follows the
// branch pages above it), and reports what is out of place.
func walk(b *bolt.Bucket, path string, report func(string)) {
	c, seek := b.Cursor(), b.Cursor()
	var prev []byte
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if prev != nil && bytes.Compare(k, prev) <= 0 {
			report(fmt.Sprintf("%s: key %x out of order", path, k))
		}
		prev = append(prev[:0], k...)
		if found, _ := seek.Seek(k); !bytes.Equal(found, k) {
			report(fmt.Sprintf("%s: key %x cannot be found again", path, k))
		}
		if v == nil {
			if child := b.Bucket(k); child != nil {
				walk(child, path+"/"+string(k), report)
			}
		}
	}
}

// initialiseCheck is initialise's check of an existing file, without its
// writes.
func (s *Store) initialiseCheck(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return fmt.Errorf("%w: %s has no meta bucket", ErrNotStore, s.path)
	}
	if v := meta.Get(keySchema); len(v) != 8 || binary.BigEndian.Uint64(v) != SchemaVersion {
		return fmt.Errorf("%w: %s does not have schema %d", ErrCorrupt, s.path, SchemaVersion)
	}
	for _, name := range topBuckets {
		if tx.Bucket(name) == nil {
			return fmt.Errorf("%w: %s lacks its %s bucket", ErrCorrupt, s.path, name)
		}
	}
	return nil
}

// consistency reports page headers that cannot be right. It does not run
// bbolt's own Tx.Check: that reads pages in a goroutine of its own, where a
// fault on a damaged page cannot be caught, and a key pointer past the end
// of a page that the guarded walk got past still crashed the process there.
// The walk has already read every key and seeked each, under guard.
func consistency(s *Store) []string {
	var out []string
	err := s.read("consistency", func(tx *bolt.Tx) error {
		out = pageHeaders(tx)
		return nil
	})
	if err != nil {
		out = append(out, err.Error())
	}
	return out
}

// problem adds a problem to the report, counting those beyond maxProblems.
func (o *OrgReport) problem(format string, a ...any) {
	if len(o.Problems) == maxProblems {
		o.Problems[maxProblems-1] = "and more"
		return
	}
	o.Problems = append(o.Problems, fmt.Sprintf(format, a...))
}

// checkOrg decodes every record of one organisation.
func checkOrg(tx *bolt.Tx, o *OrgReport, verify VerifyFunc) error {
	b, err := orgBucket(tx, o.ID)
	if err != nil {
		return err
	}
	walk(b, "organisation "+o.ID, func(p string) { o.problem("%s", p) })
	if _, err := readOrg(b, o.ID); err != nil {
		o.problem("%v", err)
	}
	for _, name := range [][]byte{bucketDevices, bucketBatches, bucketAcks} {
		if b.Bucket(name) == nil {
			o.problem("no %s bucket", name)
			return nil
		}
	}
	devices := map[string]server.Device{}
	err = b.Bucket(bucketDevices).ForEach(func(k, _ []byte) error {
		d, err := getDevice(b, string(k))
		if err != nil {
			o.problem("%v", err)
			return nil
		}
		devices[d.ID] = d
		return nil
	})
	if err != nil {
		return err
	}
	o.Devices = len(devices)
	stored := map[uint64]server.Batch{}
	var last []byte
	err = b.Bucket(bucketBatches).ForEach(func(k, v []byte) error {
		o.Batches++
		if len(k) != 8 || (last != nil && bytes.Compare(k, last) <= 0) {
			o.problem("batch key %x out of place", k)
			return nil
		}
		last = append(last[:0], k...)
		seq := binary.BigEndian.Uint64(k)
		batch, err := decodeBatch(v)
		if err != nil {
			o.problem("batch %d: %v", seq, err)
			return nil
		}
		stored[seq] = batch
		d, ok := devices[batch.Device]
		switch {
		case !ok:
			o.problem("batch %d: from device %q, which is not registered", seq, batch.Device)
		case batch.Last > d.LastSeq:
			o.problem("batch %d: device %s's sequences run to %d, beyond the %d it is recorded with", seq, d.ID, batch.Last, d.LastSeq)
		case verify != nil:
			if err := verify(o.ID, d, server.Stored{Seq: seq, Batch: batch}); err != nil {
				o.problem("batch %d: %v", seq, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return checkAcks(b.Bucket(bucketAcks), o, stored)
}

// checkAcks checks that every acknowledgement names a stored batch of its
// device with its sequences.
func checkAcks(acks *bolt.Bucket, o *OrgReport, stored map[uint64]server.Batch) error {
	return acks.ForEachBucket(func(dev []byte) error {
		return acks.Bucket(dev).ForEach(func(k, v []byte) error {
			a, err := decodeAck(v)
			if err != nil || len(k) != 8 {
				o.problem("acknowledgement %x of device %s: damaged", k, dev)
				return nil
			}
			first := binary.BigEndian.Uint64(k)
			b, ok := stored[a.seq]
			switch {
			case !ok:
				o.problem("batch %d (device %s's %d..%d) is missing from the log", a.seq, dev, first, a.last)
			case b.Device != string(dev) || b.First != first || b.Last != a.last:
				o.problem("acknowledgement of device %s's %d..%d names batch %d, which does not hold them", dev, first, a.last, a.seq)
			}
			return nil
		})
	})
}

// pageHeaders reports page headers that cannot be right: a type bbolt
// does not know, more elements than fit, or an overflow past the end of
// the file. bbolt's own check trusts them and, in a goroutine where a
// fault cannot be caught, would crash or loop on them.
func pageHeaders(tx *bolt.Tx) []string {
	size := tx.DB().Info().PageSize
	pages := int(tx.Size()) / size
	var out []string
	for id := 2; id < pages; id++ {
		info, err := tx.Page(id)
		if err != nil || info == nil {
			continue
		}
		switch {
		case info.Type != "branch" && info.Type != "leaf" && info.Type != "meta" && info.Type != "freelist" && info.Type != "free":
			out = append(out, fmt.Sprintf("page %d: unknown type %s", id, info.Type))
		case id+info.OverflowCount >= pages:
			out = append(out, fmt.Sprintf("page %d: runs past the end of the file", id))
		case (info.Type == "branch" || info.Type == "leaf") && 16+16*info.Count > (info.OverflowCount+1)*size:
			out = append(out, fmt.Sprintf("page %d: claims %d elements, more than fit", id, info.Count))
		}
	}
	return out
}
