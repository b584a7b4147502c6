package wechatpay

import (
	"io"
	"math"
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
