package boltstore

import (
	"testing"

	"medisecure/sync/server"
	"medisecure/sync/server/backendtest"
)

func TestPieceConformance(t *testing.T) {
	backendtest.RunPieces(t, func(t *testing.T) server.Backend { return openTest(t) })
}
