package store

import (
	"bufio"
	"encoding/json"
	"io"

	"medisecure/core"
)

// Export writes every live record as one JSON line
// {"kind":…,"id":…,"data":{…}}, sorted by kind then ID. Two stores holding
// the same merged state write byte-identical output. Export reveals every
// record in clear, so only admins may run it, and it is logged.
func (s *Session) Export(w io.Writer) (int, error) {
	if err := s.authorize(core.ActRead, core.KindAccessLog); err != nil {
		return 0, err
	}
	// The export is logged before any record leaves the store.
	err := s.update(func(t *txn) error {
		return t.logAccess("", core.AccessExport, "export of every record")
	})
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(w)
	n := 0
	err = s.view(func(t *txn) error {
		for _, k := range core.Kinds {
			err := t.each(k, func(rec *core.Record) error {
				if rec.Deleted() {
					return nil
				}
				kind, _ := json.Marshal(rec.Kind)
				id, _ := json.Marshal(rec.ID)
				bw.WriteString(`{"kind":`)
				bw.Write(kind)
				bw.WriteString(`,"id":`)
				bw.Write(id)
				bw.WriteString(`,"data":`)
				bw.Write(rec.JSON())
				bw.WriteString("}\n")
				n++
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}
