package mockserver_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/occheck/occheck/mockserver"
)

// A client's retry path: the first token request gets 503 with
// Retry-After, the retry gets a token; the journal shows both.
func ExampleAuthority_AddFault() {
	srv := mockserver.NewServer(mockserver.Config{})
	defer srv.Close()
	srv.AddFault(mockserver.Fault{Action: mockserver.FaultUnavailable, Times: 1, RetryAfter: mockserver.Duration(time.Second)})

	cc := srv.ClientCredentials(mockserver.DemoClientID)
	cc.AuthStyle = oauth2.AuthStyleInHeader
	var tok *oauth2.Token
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		tok, err = cc.Token(context.Background())
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response.StatusCode == 503 {
			fmt.Println("attempt", attempt, "got 503, Retry-After", re.Response.Header.Get("Retry-After"))
			continue // a real client would wait Retry-After seconds
		}
		break
	}
	fmt.Println("token:", err == nil && tok.AccessToken != "")
	for _, r := range srv.Requests() {
		fmt.Println(r.Status, r.Fault)
	}
	// Output:
	// attempt 1 got 503, Retry-After 1
	// token: true
	// 503 fault 1 (unavailable)
	// 200
}

// Tokens expire on the server's clock, which the test moves: no sleeping.
// A resource server that checks exp against the mock's clock sees the
// token expire once the clock has moved past its lifetime.
func ExampleAuthority_Clock() {
	srv := mockserver.NewServer(mockserver.Config{TokenTTL: mockserver.Duration(5 * time.Minute)})
	defer srv.Close()
	srv.Clock().Set(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))

	tok, err := srv.ClientCredentials(mockserver.DemoClientID).Token(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	exp := expOf(tok.AccessToken)
	fmt.Println("exp:", exp.UTC().Format(time.RFC3339))
	fmt.Println("expired now:", !srv.Clock().Now().Before(exp))
	srv.Clock().Advance(6 * time.Minute)
	fmt.Println("expired after 6 minutes:", !srv.Clock().Now().Before(exp))
	// Output:
	// exp: 2030-01-02T03:09:05Z
	// expired now: false
	// expired after 6 minutes: true
}

// expOf reads the exp claim of a JWT without verifying it (the example is
// about time; verification is shown elsewhere).
func expOf(jwt string) time.Time {
	parts := strings.Split(jwt, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c struct {
		Exp int64 `json:"exp"`
	}
	_ = json.Unmarshal(payload, &c)
	return time.Unix(c.Exp, 0)
}
