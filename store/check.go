package store

import (
	"bytes"
	"encoding/hex"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"medisecure/core"
)

// CheckReport is what Check found in the store.
type CheckReport struct {
	// Records counts the records that decrypt and verify, by kind;
	// Unreadable those that do not, with the first few IDs in Bad.
	Records    map[core.Kind]int
	Unreadable map[core.Kind]int
	Bad        []string
	// Entries counts the other entries read.
	Entries int
	// Lost names the buckets in which a damaged page hides entries.
	Lost []string
	// Search says what is wrong with the patient search index, or is
	// empty when it matches the patient records.
	Search string
	// SearchPending is set, and Search left empty, while a sync catch-up
	// is bringing the search index up to date: it lags the records by
	// design until the catch-up's last write (or, if the catch-up was cut
	// short, the next login rebuilds it). It is not a problem.
	SearchPending string
	// File lists page headers that cannot be right; it is filled only
	// when every page could be read.
	File []string
}

// OK reports whether nothing was found wrong.
func (r CheckReport) OK() bool {
	n := 0
	for _, c := range r.Unreadable {
		n += c
	}
	return n == 0 && len(r.Lost) == 0 && r.Search == "" && len(r.File) == 0
}

// maxBad is how many unreadable record IDs a report names.
const maxBad = 20

// Check reads every page and every entry of the store, decrypts and
// verifies every record under the store key, compares the search index
// with the patient records, and, when every page could be read, checks
// every page header (admins only). It changes nothing.
func (s *Session) Check() (CheckReport, error) {
	if err := s.authorize(core.ActRead, core.KindAccessLog); err != nil {
		return CheckReport{}, err
	}
	r := CheckReport{Records: map[core.Kind]int{}, Unreadable: map[core.Kind]int{}}
	t := &txn{keys: s.db.keys}
	live, unreadable := map[core.ID]bool{}, map[core.ID]bool{}
	for _, k := range core.Kinds {
		lost, err := readBucket(s.db.bolt, kindPath(k), func(key, v []byte, isBucket bool) error {
			if isBucket {
				return nil
			}
			id := core.ID(hex.EncodeToString(key))
			rec, err := t.open(k, id, v)
			if err != nil {
				r.Unreadable[k]++
				unreadable[id] = k == core.KindPatient
				if len(r.Bad) < maxBad {
					r.Bad = append(r.Bad, fmt.Sprintf("%s %s", k, id))
				}
				return nil
			}
			r.Records[k]++
			if k == core.KindPatient && rec.Exists() && !rec.Deleted() {
				live[id] = true
			}
			return nil
		})
		if err != nil {
			return CheckReport{}, err
		}
		if lost {
			r.Lost = append(r.Lost, string(k)+" records")
		}
	}
	if err := s.checkOthers(&r); err != nil {
		return CheckReport{}, err
	}
	if err := s.checkSearch(&r, live, unreadable); err != nil {
		return CheckReport{}, err
	}
	if len(r.Lost) == 0 {
		r.File = s.db.consistency()
	}
	return r, nil
}

// checkOthers reads every entry of the buckets other than the records
// and the search index.
func (s *Session) checkOthers(r *CheckReport) error {
	var roots [][]byte
	lost, err := readBucket(s.db.bolt, nil, func(k, _ []byte, _ bool) error {
		roots = append(roots, bytes.Clone(k))
		return nil
	})
	if err != nil {
		return err
	}
	if lost {
		r.Lost = append(r.Lost, "the list of buckets")
	}
	for _, name := range roots {
		if bytes.Equal(name, bucketRecords) || bytes.Equal(name, bucketSearch) || bytes.Equal(name, bucketAppointments) {
			continue
		}
		if err := s.checkTree([][]byte{name}, r); err != nil {
			return err
		}
	}
	return nil
}

// checkTree reads the bucket at path and the buckets in it.
func (s *Session) checkTree(path [][]byte, r *CheckReport) error {
	var children [][]byte
	lost, err := readBucket(s.db.bolt, path, func(k, _ []byte, isBucket bool) error {
		if isBucket {
			children = append(children, bytes.Clone(k))
		} else {
			r.Entries++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if lost {
		r.Lost = append(r.Lost, string(bytes.Join(path, []byte("/"))))
	}
	for _, c := range children {
		if err := s.checkTree(append(append([][]byte(nil), path...), c), r); err != nil {
			return err
		}
	}
	return nil
}

// checkSearch opens every search shard and compares the patients in them
// with the live patient records; the unreadable ones may be in it or not.
func (s *Session) checkSearch(r *CheckReport, live, unreadable map[core.ID]bool) error {
	damaged, indexed := 0, map[core.ID]bool{}
	lost, err := readBucket(s.db.bolt, [][]byte{bucketSearch}, func(k, v []byte, _ bool) error {
		plain, err := s.db.keys.store.open(bucketSearch, k, v)
		if err != nil {
			damaged++
			return nil
		}
		entries, err := decodeShard(nil, plain)
		if err != nil {
			damaged++
			return nil
		}
		for _, e := range entries {
			indexed[e.id] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	pending := false
	if err := s.db.bolt.View(func(tx *bolt.Tx) error {
		pending = tx.Bucket(bucketMeta).Get(metaSearchStale) != nil
		return nil
	}); err != nil {
		return err
	}
	missing, extra := 0, 0
	for id := range live {
		if !indexed[id] {
			missing++
		}
	}
	for id := range indexed {
		if !live[id] && !unreadable[id] {
			extra++
		}
	}
	switch {
	case lost || damaged > 0:
		r.Search = fmt.Sprintf("%d shards damaged; it is rebuilt from the records at the next login", damaged)
	case pending:
		r.SearchPending = fmt.Sprintf("being brought up to date by a sync catch-up (%d patients not yet in it); if the catch-up is cut short, the next login rebuilds it", missing)
	case missing > 0 || extra > 0:
		r.Search = fmt.Sprintf("out of step with the records (%d patients missing, %d extra)", missing, extra)
	}
	return nil
}

// consistency reports page headers that cannot be right. It does not run
// bbolt's own Tx.Check: that reads pages in a goroutine of its own, where a
// fault on a damaged page cannot be caught, and a key pointer past the end
// of a page that every guarded read here got past still crashed the whole
// process there. Check has already read every page that a record, an index
// entry or a seek reaches, under guard.
func (db *DB) consistency() []string {
	var out []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		out = pageHeaders(tx)
		return nil
	})
	if err != nil {
		out = append(out, err.Error())
	}
	return out
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
