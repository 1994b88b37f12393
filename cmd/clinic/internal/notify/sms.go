package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SMSGateway sends text messages through an HTTP gateway with Twilio's
// API: POST {BaseURL}/2010-04-01/Accounts/{Account}/Messages.json with
// basic auth (account, token) and the form fields To, From and Body.
type SMSGateway struct {
	BaseURL string
	Account string
	Token   string
	From    string
	// Client is the HTTP client; nil is one with a 30-second timeout.
	Client *http.Client
}

// SMS is one text message.
type SMS struct {
	To   string
	Body string
}

// Send delivers m and returns the gateway's message ID. A 4xx answer
// other than 408 and 429 is a *Refused error (the number, the account or
// the request is wrong, and will stay so); anything else may pass later.
func (g *SMSGateway) Send(ctx context.Context, m SMS) (string, error) {
	endpoint := strings.TrimRight(g.BaseURL, "/") + "/2010-04-01/Accounts/" + url.PathEscape(g.Account) + "/Messages.json"
	form := url.Values{"To": {m.To}, "From": {g.From}, "Body": {m.Body}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", &Refused{What: "the SMS gateway's address", Err: err}
	}
	req.SetBasicAuth(g.Account, g.Token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	client := g.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("notify: cannot reach the SMS gateway: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var answer struct {
		SID     string `json:"sid"`
		Status  string `json:"status"`
		Message string `json:"message"`
		Code    int    `json:"code"`
	}
	json.Unmarshal(body, &answer)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		if answer.SID == "" {
			return "", fmt.Errorf("notify: the SMS gateway answered %s without a message sid", resp.Status)
		}
		return answer.SID, nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests:
		return "", &Refused{What: "the SMS gateway", Err: fmt.Errorf("%s: %s", resp.Status, answer.Message)}
	}
	return "", fmt.Errorf("notify: the SMS gateway answered %s %s", resp.Status, answer.Message)
}
