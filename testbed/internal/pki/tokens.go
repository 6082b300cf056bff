package pki

import (
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
)

func newToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func newTokens() (Tokens, error) {
	var t Tokens
	for _, dst := range []*string{&t.Admin, &t.Scoped, &t.Controller, &t.Scheduler, &t.Kwok} {
		tok, err := newToken()
		if err != nil {
			return Tokens{}, err
		}
		*dst = tok
	}
	return t, nil
}

// tokenRow is one line of kube-apiserver's --token-auth-file:
// token,user,uid,"group1,group2".
type tokenRow struct {
	token, user string
	groups      []string
}

func (t Tokens) rows() []tokenRow {
	return []tokenRow{
		{t.Admin, AdminUser, []string{MastersGroup}},
		{t.Scoped, ScopedUser, nil},
		{t.Controller, ControllerUser, []string{MastersGroup}},
		{t.Scheduler, SchedulerUser, []string{MastersGroup}},
		{t.Kwok, KwokUser, []string{MastersGroup}},
	}
}

func tokenCSV(t Tokens) []byte {
	var b strings.Builder
	w := csv.NewWriter(&b)
	for _, r := range t.rows() {
		_ = w.Write([]string{r.token, r.user, r.user, strings.Join(r.groups, ",")})
	}
	w.Flush()
	return []byte(b.String())
}

func readTokens(path string) (Tokens, error) {
	f, err := os.Open(path)
	if err != nil {
		return Tokens{}, err
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return Tokens{}, fmt.Errorf("%s: %w", path, err)
	}
	byUser := map[string]string{}
	for _, r := range records {
		if len(r) >= 2 {
			byUser[r[1]] = r[0]
		}
	}
	t := Tokens{
		Admin: byUser[AdminUser], Scoped: byUser[ScopedUser], Controller: byUser[ControllerUser],
		Scheduler: byUser[SchedulerUser], Kwok: byUser[KwokUser],
	}
	for _, r := range t.rows() {
		if r.token == "" {
			return Tokens{}, fmt.Errorf("%s: no token for %s", path, r.user)
		}
	}
	return t, nil
}
