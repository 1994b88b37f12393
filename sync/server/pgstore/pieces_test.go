package pgstore

import (
	"testing"

	"medisecure/sync/server"
	"medisecure/sync/server/backendtest"
	"medisecure/sync/server/pgstore/pgtest"
)

func TestPieceConformance(t *testing.T) {
	backendtest.RunPieces(t, func(t *testing.T) server.Backend { return openTest(t, pgtest.DSN(t)) })
}
