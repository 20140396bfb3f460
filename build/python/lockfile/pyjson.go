package lockfile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// pythonJSONHash is sha256 over what Python's json.dumps(v, sort_keys=True,
// separators=...) prints: Poetry and pipenv fingerprint the manifest that
// way, so matching their bytes exactly tells whether the lock is stale.
func pythonJSONHash(v any, itemSep, keySep string) (string, error) {
	var b strings.Builder
	if err := writePythonJSON(&b, v, itemSep, keySep); err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:]), nil
}

func writePythonJSON(b *strings.Builder, v any, itemSep, keySep string) error {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case string:
		writePythonString(b, v)
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		s, err := pythonFloat(v)
		if err != nil {
			return err
		}
		b.WriteString(s)
	case []any:
		b.WriteByte('[')
		for i, item := range v {
			if i > 0 {
				b.WriteString(itemSep)
			}
			if err := writePythonJSON(b, item, itemSep, keySep); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case []map[string]any:
		items := make([]any, len(v))
		for i, item := range v {
			items[i] = item
		}
		return writePythonJSON(b, items, itemSep, keySep)
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		// Python sorts str keys by code point; Go's byte order on UTF-8 is the same.
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(itemSep)
			}
			writePythonString(b, k)
			b.WriteString(keySep)
			if err := writePythonJSON(b, v[k], itemSep, keySep); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		// Dates and times are not JSON serializable in Python either: the
		// tools themselves would fail, so no hash can match.
		return fmt.Errorf("a %T value has no JSON form", v)
	}
	return nil
}

// writePythonString escapes as json.dumps does with ensure_ascii=True.
func writePythonString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || (r >= 0x7f && r < 0x10000):
				fmt.Fprintf(b, `\u%04x`, r)
			case r >= 0x10000:
				hi, lo := utf16.EncodeRune(r)
				fmt.Fprintf(b, `\u%04x\u%04x`, hi, lo)
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// pythonFloat prints f as Python's repr: the shortest round-tripping
// digits, in exponent form below 1e-4 and from 1e16 on.
func pythonFloat(f float64) (string, error) {
	s := strconv.FormatFloat(f, 'e', -1, 64)
	if strings.ContainsAny(s, "NI") {
		return "", fmt.Errorf("%s has no JSON form", s)
	}
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	mant, expText, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expText)
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		esign := "+"
		if exp < 0 {
			esign, exp = "-", -exp
		}
		return fmt.Sprintf("%s%se%s%02d", sign, m, esign, exp), nil
	}
	if exp < 0 {
		return sign + "0." + strings.Repeat("0", -exp-1) + digits, nil
	}
	if len(digits) <= exp+1 {
		return sign + digits + strings.Repeat("0", exp+1-len(digits)) + ".0", nil
	}
	return sign + digits[:exp+1] + "." + digits[exp+1:], nil
}
