package core

import "encoding/json"

// This file checks JSON values without decoding them: validJSON is
// json.Valid, compactJSON whether json.Compact would leave a value as it
// is. Field values are checked this way as they are read and validated.

// validJSON is json.Valid(v). A string, a number, a literal, or an
// object or array of them without white space, what field values nearly
// always are, it checks itself in one pass; anything else, and any of
// those it does not find well formed, goes to json.Valid.
func validJSON(v []byte) bool {
	return scalarJSON(v) || compositeJSON(v) || json.Valid(v)
}

// compositeJSON reports whether v is exactly one JSON object or array
// without white space, nested at most compositeDepth deep. It is never
// true where json.Valid is false; it may be false where json.Valid is true
// (white space, deeper nesting).
func compositeJSON(v []byte) bool {
	if len(v) == 0 || v[0] != '{' && v[0] != '[' {
		return false
	}
	return compactLen(v, 0) == len(v)
}

// compositeDepth bounds the nesting compositeJSON follows (json.Valid
// has its own, far deeper, bound).
const compositeDepth = 32

// compactLen is the length of the one JSON value without white space
// that v starts with, -1 when it does not start with one.
func compactLen(v []byte, depth int) int {
	if len(v) == 0 {
		return -1
	}
	switch c := v[0]; {
	case c == '"':
		return stringLen(v)
	case c == '-' || c >= '0' && c <= '9':
		return numberLen(v)
	case c == 't':
		return literalLen(v, "true")
	case c == 'f':
		return literalLen(v, "false")
	case c == 'n':
		return literalLen(v, "null")
	case c != '{' && c != '[' || depth >= compositeDepth:
		return -1
	}
	end := byte(']')
	if v[0] == '{' {
		end = '}'
	}
	i := 1
	if i < len(v) && v[i] == end {
		return i + 1
	}
	for {
		if end == '}' {
			if i >= len(v) || v[i] != '"' {
				return -1
			}
			n := stringLen(v[i:])
			if n < 0 || i+n >= len(v) || v[i+n] != ':' {
				return -1
			}
			i += n + 1
		}
		n := compactLen(v[i:], depth+1)
		if n < 0 || i+n >= len(v) {
			return -1
		}
		i += n
		switch v[i] {
		case ',':
			i++
		case end:
			return i + 1
		default:
			return -1
		}
	}
}

// literalLen is len(lit) when v starts with it, -1 otherwise.
func literalLen(v []byte, lit string) int {
	if len(v) < len(lit) || string(v[:len(lit)]) != lit {
		return -1
	}
	return len(lit)
}

// compactJSON reports whether v is JSON that json.Compact leaves as it
// is: valid, with no white space outside its strings (json.Compact, which
// does no escaping, elides that white space and nothing else). Unlike
// json.Compact it allocates nothing.
func compactJSON(v []byte) bool {
	if scalarJSON(v) || compositeJSON(v) {
		return true
	}
	if !json.Valid(v) {
		return false
	}
	inString := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case inString && c == '\\':
			i++ // the escaped byte, a quote or not, stays in the string
		case c == '"':
			inString = !inString
		case !inString && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			return false
		}
	}
	return true
}

// scalarJSON reports whether v is exactly one JSON string, number or
// literal, without white space. It is never true where json.Valid is
// false; it may be false where json.Valid is true (an object, white
// space).
func scalarJSON(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	switch c := v[0]; {
	case c == '"':
		return stringJSON(v)
	case c == '-' || c >= '0' && c <= '9':
		return numberJSON(v)
	default:
		n := len(v)
		return literalLen(v, "true") == n || literalLen(v, "false") == n || literalLen(v, "null") == n
	}
}

// stringJSON reports whether v, which starts with a quote, is one JSON
// string and nothing after it: no control character, only the escapes
// JSON has. Like json.Valid, it does not look at UTF-8.
func stringJSON(v []byte) bool {
	return stringLen(v) == len(v)
}

// stringLen is the length of the JSON string v starts with (it starts
// with a quote), -1 when it is not one.
func stringLen(v []byte) int {
	for i := 1; i < len(v); {
		switch c := v[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			if i+1 >= len(v) {
				return -1
			}
			switch v[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(v) {
					return -1
				}
				for _, h := range v[i+2 : i+6] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return -1
					}
				}
				i += 6
			default:
				return -1
			}
		default:
			i++
		}
	}
	return -1
}

// numberJSON reports whether v is one JSON number and nothing after it.
func numberJSON(v []byte) bool {
	return numberLen(v) == len(v)
}

// numberLen is the length of the JSON number v starts with, -1 when it
// does not start with one.
func numberLen(v []byte) int {
	i := 0
	digits := func() int {
		n := 0
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(v) && v[i] == '-' {
		i++
	}
	switch {
	case i < len(v) && v[i] == '0':
		i++
	case i < len(v) && v[i] >= '1' && v[i] <= '9':
		digits()
	default:
		return -1
	}
	if i < len(v) && v[i] == '.' {
		i++
		if digits() == 0 {
			return -1
		}
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		if digits() == 0 {
			return -1
		}
	}
	return i
}
