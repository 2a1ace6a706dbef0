package mockserver

import (
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// A TLS server's port also receives plain HTTP now and then (a client
// configured with http://). The twin listener tells the two apart by the
// first byte (a TLS handshake record starts with 0x16): TLS connections go
// to the TLS server, plain ones to a plain server on the same port, whose
// reference answer is Go's own refusal. RFC 6749 §3.2 requires TLS at the
// token endpoint, so the plain side never serves it unless a deviation
// says so.

// TwinListener wraps the raw listener of a TLS server: Accept returns the
// connections that start a TLS handshake; the others are served plain
// HTTP by the authority's plain handler (Authority.PlainHTTPHandler).
// Close stops both.
func TwinListener(ln net.Listener, a *Authority) net.Listener {
	t := &twinListener{Listener: ln, tlsConns: make(chan net.Conn), done: make(chan struct{})}
	t.plain = &chanListener{addr: ln.Addr(), conns: make(chan net.Conn), done: t.done}
	t.plainSrv = &http.Server{Handler: a.PlainHTTPHandler(), ErrorLog: log.New(io.Discard, "", 0)}
	ApplyTimeouts(t.plainSrv)
	go func() { _ = t.plainSrv.Serve(t.plain) }()
	go t.acceptLoop()
	return t
}

type twinListener struct {
	net.Listener
	tlsConns chan net.Conn
	plain    *chanListener
	plainSrv *http.Server
	done     chan struct{}
	once     sync.Once
}

// acceptLoop sorts each connection by its first byte, in its own
// goroutine, so a client that sends nothing holds up nobody.
func (t *twinListener) acceptLoop() {
	var backoff time.Duration
	for {
		c, err := t.Listener.Accept()
		if errors.Is(err, net.ErrClosed) {
			t.Close() // the TLS server's Accept then reports it closed
			return
		}
		if err != nil {
			// Out of file descriptors and the like: wait and retry, as
			// net/http's own accept loop does, rather than stop serving.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			select {
			case <-time.After(backoff):
				continue
			case <-t.done:
				return
			}
		}
		backoff = 0
		go func() {
			_ = c.SetReadDeadline(time.Now().Add(ReadHeaderTimeout))
			var b [1]byte
			if _, err := io.ReadFull(c, b[:]); err != nil {
				c.Close()
				return
			}
			_ = c.SetReadDeadline(time.Time{})
			pc := &peekedConn{Conn: c, first: b[0], has: true}
			ch := t.plain.conns
			if b[0] == 0x16 {
				ch = t.tlsConns
			}
			select {
			case ch <- pc:
			case <-t.done:
				c.Close()
			}
		}()
	}
}

// Accept returns the next TLS connection.
func (t *twinListener) Accept() (net.Conn, error) {
	select {
	case c := <-t.tlsConns:
		return c, nil
	case <-t.done:
		return nil, net.ErrClosed
	}
}

// Close stops accepting, and the plain server.
func (t *twinListener) Close() error {
	var err error
	t.once.Do(func() {
		close(t.done)
		err = t.Listener.Close()
		_ = t.plainSrv.Close()
	})
	return err
}

// peekedConn replays the byte read to sort the connection.
type peekedConn struct {
	net.Conn
	first byte
	has   bool
}

func (p *peekedConn) Read(b []byte) (int, error) {
	if p.has && len(b) > 0 {
		b[0], p.has = p.first, false
		return 1, nil
	}
	return p.Conn.Read(b)
}

// chanListener hands out connections sent to it.
type chanListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, errors.New("listener closed")
	}
}

func (l *chanListener) Close() error   { return nil }
func (l *chanListener) Addr() net.Addr { return l.addr }

// PlainHTTPHandler answers plain HTTP that reached the TLS port: the
// refusal Go's TLS server gives (400, "Client sent an HTTP request to an
// HTTPS server."), never the token endpoint.
func (a *Authority) PlainHTTPHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.steps.Load().plainHTTP(w, r) {
			return
		}
		a.ServeHTTP(w, r)
	})
}

// refusePlainHTTP is the reference answer on the plain side of a TLS port.
func refusePlainHTTP(w http.ResponseWriter, _ *http.Request) bool {
	w.Header().Set("Connection", "close")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = io.WriteString(w, "Client sent an HTTP request to an HTTPS server.\n")
	return true
}
