package envelope

import (
	"errors"
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// The encoder and decoder are safe for concurrent EncodeAll and DecodeAll
// and costly to build, so one of each serves the process.
var (
	encoder = mustEncoder()
	decoder = mustDecoder()
)

// mustEncoder builds the encoder. Batches are small and sealed once, so a
// better compression level costs little time and saves bytes on slow
// links.
func mustEncoder() *zstd.Encoder {
	e, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedBetterCompression),
		zstd.WithEncoderDictRaw(dictionaryID, []byte(dictionary)))
	if err != nil {
		panic("envelope: building the zstd encoder: " + err.Error())
	}
	return e
}

func mustDecoder() *zstd.Decoder {
	d, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(0),
		zstd.WithDecoderMaxMemory(MaxPlainSize),
		zstd.WithDecoderMaxWindow(MaxPlainSize),
		zstd.WithDecoderDictRaw(dictionaryID, []byte(dictionary)))
	if err != nil {
		panic("envelope: building the zstd decoder: " + err.Error())
	}
	return d
}

// compress zstd-compresses plain with the dictionary.
func compress(plain []byte) []byte {
	return encoder.EncodeAll(plain, make([]byte, 0, len(plain)/4+64))
}

// decompress undoes compress, refusing output beyond MaxPlainSize. It reads
// frames compressed with the dictionary and without one.
func decompress(packed []byte) ([]byte, error) {
	plain, err := decoder.DecodeAll(packed, nil)
	switch {
	case errors.Is(err, zstd.ErrDecoderSizeExceeded), errors.Is(err, zstd.ErrWindowSizeExceeded):
		return nil, fmt.Errorf("%w: decompresses beyond %d bytes", ErrTooLarge, MaxPlainSize)
	case err != nil:
		return nil, fmt.Errorf("%w: decompressing: %v", ErrBadContent, err)
	case len(plain) > MaxPlainSize:
		return nil, fmt.Errorf("%w: decompresses beyond %d bytes", ErrTooLarge, MaxPlainSize)
	}
	return plain, nil
}
