package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/store"
)

// apiClient drives a running server's /api/v1/accounts endpoints.
type apiClient struct {
	base  string
	token string
	http  *http.Client
}

// newAPIClient returns a client for the configured HTTP door and the first admin token, or nil
// and the reason it cannot be used.
func newAPIClient(cfg *config.Config) (*apiClient, string) {
	if cfg.Listen.HTTP == "" {
		return nil, "listen.http is empty"
	}
	var token string
	for _, t := range cfg.API.Tokens {
		if slices.Contains(t.Scopes, "admin") {
			token = t.Token
			break
		}
	}
	if token == "" {
		return nil, "api.tokens has no entry with the admin scope"
	}
	host, port, err := net.SplitHostPort(cfg.Listen.HTTP)
	if err != nil {
		return nil, "listen.http is not host:port"
	}
	switch host { // a wildcard listener is reached on loopback
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return &apiClient{base: "http://" + net.JoinHostPort(host, port) + "/api/v1", token: token,
		http: &http.Client{Timeout: 10 * time.Second}}, ""
}

// apiFailure is an error answer of the API.
type apiFailure struct {
	Status  int
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiFailure) Error() string {
	return fmt.Sprintf("%s (HTTP %d, %s)", e.Message, e.Status, e.Code)
}

// call sends a request and decodes a JSON answer into out (when not nil).
func (c *apiClient) call(ctx context.Context, method, path string, body, out any) error {
	var rd *bytes.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e struct {
			Error apiFailure `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		e.Error.Status = resp.StatusCode
		switch resp.StatusCode {
		case http.StatusConflict:
			return fmt.Errorf("%w: %v", store.ErrExists, &e.Error)
		case http.StatusNotFound:
			return fmt.Errorf("%w: %v", store.ErrNotFound, &e.Error)
		}
		return &e.Error
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

// ping checks that the API answers (any HTTP answer will do; a refused connection will not).
func (c *apiClient) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var out struct{}
	err := c.call(ctx, "GET", "/server", nil, &out)
	if _, ok := err.(*apiFailure); ok {
		return nil
	}
	return err
}

func (c *apiClient) add(ctx context.Context, name, email, password string) error {
	return c.call(ctx, "POST", "/accounts", map[string]string{"name": name, "email": email, "password": password}, nil)
}

func (c *apiClient) list(ctx context.Context) ([]store.Account, error) {
	var out struct {
		Accounts []struct {
			Name    string    `json:"name"`
			Email   string    `json:"email"`
			Created time.Time `json:"created"`
			Certfps []string  `json:"certfps"`
		} `json:"accounts"`
	}
	if err := c.call(ctx, "GET", "/accounts", nil, &out); err != nil {
		return nil, err
	}
	accts := make([]store.Account, 0, len(out.Accounts))
	for _, a := range out.Accounts {
		accts = append(accts, store.Account{Name: a.Name, Email: a.Email, Created: a.Created, Certfps: a.Certfps})
	}
	return accts, nil
}

func (c *apiClient) remove(ctx context.Context, name string) error {
	return c.call(ctx, "DELETE", "/accounts/"+url.PathEscape(name), nil, nil)
}

func (c *apiClient) passwd(ctx context.Context, name, password string) error {
	return c.call(ctx, "PUT", "/accounts/"+url.PathEscape(name)+"/password", map[string]string{"password": password}, nil)
}
