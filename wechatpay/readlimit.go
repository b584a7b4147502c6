package wechatpay

import (
	"fmt"
	"io"
	"math"
	"os"
)

// readLimited reads r to its end, but at most limit bytes (limit >= 0), and
// reports whether r held more. It reads one byte past the limit to tell
// "exactly at" from "over"; at the int64 maximum, where limit+1 would wrap
// negative and read nothing, no reader can hold more anyway.
func readLimited(r io.Reader, limit int64) (data []byte, over bool, err error) {
	n := limit
	if n < math.MaxInt64 {
		n++
	}
	data, err = io.ReadAll(io.LimitReader(r, n))
	if int64(len(data)) > limit {
		return data[:limit], true, err
	}
	return data, false, err
}

// maxSmallFile is the most a key, certificate or config file may hold: a
// 4096-bit private key in PEM is about 3.3 KB, a config file a few hundred
// bytes.
const maxSmallFile = 1 << 20

// readSmallFile reads a key, certificate or config file, refusing one that
// holds more than maxSmallFile bytes (a wrong path such as /dev/zero, or a
// log file) instead of reading it all into memory.
func readSmallFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, over, err := readLimited(f, maxSmallFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if over {
		return nil, fmt.Errorf("%s: the file holds more than %d bytes: not a key, certificate or config file", path, maxSmallFile)
	}
	return data, nil
}
