package mockserver

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
)

// The token endpoint's hot path writes its two JSON documents (the
// claims and the §5.1 response) by appending, without reflection; the
// bytes are those json.Marshal writes for the same values (a test holds
// them equal), and anything but the common shapes goes to json.Marshal.

// appendJSONString appends s as a JSON string, escaped as json.Marshal
// does (HTML-safe); false if s needs escapes it leaves to json.Marshal.
func appendJSONString(b []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return b, false
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
}

// appendJSONValue appends v: a string, a []string, an int64 or anything
// json.Marshal writes.
func appendJSONValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case string:
		if out, ok := appendJSONString(b, v); ok {
			return out, nil
		}
	case []string:
		if v != nil {
			b = append(b, '[')
			for i, s := range v {
				if i > 0 {
					b = append(b, ',')
				}
				var err error
				if b, err = appendJSONValue(b, s); err != nil {
					return b, err
				}
			}
			return append(b, ']'), nil
		}
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case float64:
		// Whole numbers json.Marshal writes without exponent.
		if v == math.Trunc(v) && math.Abs(v) < 1e21 && (v != 0 || !math.Signbit(v)) {
			return strconv.AppendInt(b, int64(v), 10), nil
		}
	case map[string]any:
		if v != nil {
			return appendJSONObject(b, v)
		}
	}
	enc, err := json.Marshal(v)
	return append(b, enc...), err
}

// appendMember appends "name": and v after sep (',' or '{').
func appendMember(b []byte, sep byte, name string, v any) ([]byte, error) {
	b = append(b, sep, '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONValue(b, v)
}

// appendJSON writes the claims as json.Marshal(c) does; without times,
// iat, exp and jti are left out (an opaque token's stored claims).
func (c *tokenClaims) appendJSON(b []byte, times bool) ([]byte, error) {
	b, err := appendMember(b, '{', "aud", c.Aud)
	if err == nil {
		b, err = appendMember(b, ',', "client_id", c.ClientID)
	}
	if err == nil && times {
		b, err = appendMember(b, ',', "exp", c.Exp)
		if err == nil {
			b, err = appendMember(b, ',', "iat", c.Iat)
		}
	}
	if err == nil {
		b, err = appendMember(b, ',', "iss", c.Iss)
	}
	if err == nil && times {
		b, err = appendMember(b, ',', "jti", c.JTI)
	}
	if err == nil && c.Scope != nil {
		b, err = appendMember(b, ',', "scope", c.Scope)
	}
	if err == nil {
		b, err = appendMember(b, ',', "sub", c.Sub)
	}
	if err == nil && len(c.Cnf) > 0 {
		b, err = appendMember(b, ',', "cnf", c.Cnf)
	}
	return append(b, '}'), err
}

// appendJSON writes the response as json.Marshal(r) does.
func (r *successResponse) appendJSON(b []byte) ([]byte, error) {
	b, err := appendMember(b, '{', "access_token", r.AccessToken)
	if err == nil && r.TokenType != "" {
		b, err = appendMember(b, ',', "token_type", r.TokenType)
	}
	if err == nil {
		b, err = appendMember(b, ',', "expires_in", r.ExpiresIn)
	}
	if err == nil && r.Scope != nil {
		b, err = appendMember(b, ',', "scope", r.Scope)
	}
	if err == nil && r.RefreshToken != "" {
		b, err = appendMember(b, ',', "refresh_token", r.RefreshToken)
	}
	return append(b, '}'), err
}

// appendJSONObject writes m with its keys sorted, as json.Marshal does.
func appendJSONObject(b []byte, m map[string]any) ([]byte, error) {
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	sep := byte('{')
	for _, k := range keys {
		b = append(b, sep)
		sep = ','
		var ok bool
		if b, ok = appendJSONString(b, k); !ok {
			enc, err := json.Marshal(k)
			if err != nil {
				return b, err
			}
			b = append(b, enc...)
		}
		b = append(b, ':')
		var err error
		if b, err = appendJSONValue(b, m[k]); err != nil {
			return b, err
		}
	}
	if sep == '{' {
		b = append(b, '{')
	}
	return append(b, '}'), nil
}
