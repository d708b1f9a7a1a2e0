package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/mod/sumdb/note"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/report/published"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/webhook"
)

// TestEveryActionIsAudited performs every action the audit log knows, one
// step at a time, and fails if a step leaves no entry with its action, or
// if an action in dueprocess.Actions has no step here: a new action must
// come with a way to perform it in this test.
func TestEveryActionIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		log := db.AuditLog()
		var id, docID, tokenID, preserved, linked, invited, contentID string
		var session *store.Session
		steps := []struct {
			action string
			do     func() error
		}{
			{dueprocess.ActionAgencyCreated, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					return tx.CreateAgency(ctx, &dueprocess.Agency{Name: "Police Nationale", Jurisdiction: "FR", Kind: dueprocess.AgencyPolice, Domains: []string{"interieur.gouv.fr"}}, dueprocess.System)
				})
			}},
			{dueprocess.ActionOfficialCreated, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					return tx.CreateOfficial(ctx, &dueprocess.Official{AgencyID: e.hkID, Email: "second@police.gov.hk", Name: "Second"}, dueprocess.System)
				})
			}},
			{dueprocess.ActionStaffCreated, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					return tx.CreateStaff(ctx, &dueprocess.Staff{Email: "new@example.com", Name: "New", Roles: []dueprocess.Role{dueprocess.RoleReviewer}}, dueprocess.System)
				})
			}},
			{dueprocess.ActionTokenIssued, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					tok := &dueprocess.Token{OfficialID: mustPrincipal(t, db, e.hk).Official.ID}
					_, err := auth.IssueToken(ctx, tx, tok, dueprocess.System)
					tokenID = tok.ID
					return err
				})
			}},
			{dueprocess.ActionTokenRevoked, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, tokenID, dueprocess.System) })
			}},
			{dueprocess.ActionRequestCreated, func() error {
				status, m := e.submit(e.hk, hkRequest)
				id, _ = m["id"].(string)
				return expect(status, 201, m)
			}},
			{dueprocess.ActionRequestDecided, func() error {
				return nil // made with the request, in its entry; checked below
			}},
			{dueprocess.ActionRequestStatus, func() error {
				return nil // the decision moved the request out of received, in its entry; checked below
			}},
			{dueprocess.ActionRequestViewed, func() error {
				status, m := e.request(e.staff, id)
				return expect(status, 200, m)
			}},
			{dueprocess.ActionRequestsListed, func() error {
				status, b := e.do("GET", "/api/v1/requests", e.staff, nil)
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionDocumentAdded, func() error {
				status, b := e.do("POST", "/api/v1/requests/"+id+"/documents", e.hk, bytes.NewReader(pdf(2000)), "Content-Type", "application/pdf")
				var d dueprocess.Document
				json.Unmarshal(b, &d)
				docID = d.ID
				return expect(status, 201, string(b))
			}},
			{dueprocess.ActionRequestAssigned, func() error {
				status, b := e.do("POST", "/api/v1/requests/"+id+"/assign", e.admin, strings.NewReader(`{"staff_id": "`+mustPrincipal(t, db, e.staff).Staff.ID+`"}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionDocumentViewed, func() error {
				status, b := e.do("GET", "/api/v1/requests/"+id+"/documents/"+docID, e.staff, nil)
				return expect(status, 200, len(b))
			}},
			{dueprocess.ActionJurisdictionPaused, func() error {
				status, b := e.do("POST", "/api/v1/jurisdictions/HK/pause", e.admin, strings.NewReader(`{"reason": "due diligence"}`))
				return expect(status, 201, string(b))
			}},
			{dueprocess.ActionJurisdictionResumed, func() error {
				status, b := e.do("POST", "/api/v1/jurisdictions/HK/resume", e.admin, strings.NewReader(`{"reason": "done"}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionPeersImported, func() error {
				n := int64(241)
				return db.Transact(ctx, func(tx *store.Tx) error {
					_, err := tx.ImportPeerFigures(ctx, published.Meta, []store.PeerFile{{Name: "meta-2019_H2.csv", SHA256: "00",
						Figures: []published.Figure{{Company: published.Meta, Period: "2019-H2", Jurisdiction: "HK", LegalProcess: "total", Requests: &n}}}}, dueprocess.System)
					return err
				})
			}},
			{dueprocess.ActionHumanRightsAssessed, func() error {
				// hkRequest alleges subversion, which the policy escalates.
				status, b := e.do("POST", "/api/v1/requests/"+id+"/human-rights", e.humanRights, strings.NewReader(
					`{"conclusion": "proceed", "legality": "l", "necessity": "n", "proportionality": "p"}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionRequestReviewed, func() error {
				status, b := e.do("POST", "/api/v1/requests/"+id+"/review", e.staff, strings.NewReader(`{"decision": "approve", "note": "as the ladder allows"}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionRequestApproved, func() error {
				status, b := e.do("POST", "/api/v1/requests/"+id+"/approve", e.approver, strings.NewReader(`{"note": "checked"}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionItemsDecided, func() error {
				status, m := e.submit(e.hk, hkContent)
				if err := expect(status, 201, m); err != nil {
					return err
				}
				contentID = m["id"].(string)
				status, b := e.do("POST", "/api/v1/requests/"+contentID+"/items/actions", e.staff,
					strings.NewReader(`{"items": [0], "action": "restrict_in_jurisdiction", "reason": "defamatory, as the court found"}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionItemsConfirmed, func() error {
				status, b := e.do("POST", "/api/v1/requests/"+contentID+"/items/confirm", e.approver, strings.NewReader(`{"items": [0], "note": "checked"}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionActionsDelivered, func() error {
				// The platform's webhook acknowledges the actions in effect.
				hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
				defer hook.Close()
				return (&webhook.Deliverer{DB: db, URL: hook.URL, Secret: []byte("shared secret")}).Run(ctx)
			}},
			{dueprocess.ActionRequestsImported, func() error {
				p := mustPrincipal(t, db, e.hk)
				r := &dueprocess.Request{Kind: dueprocess.KindUserData, Jurisdiction: "HK", AgencyID: p.Agency.ID, OfficialID: p.Official.ID,
					LegalProcess:   dueprocess.LegalProcess{Type: dueprocess.ProcessSubpoena, Reference: "OLD-1", IssuedBy: "HKPF"},
					Targets:        []dueprocess.Target{{Type: dueprocess.TargetUsername, Value: "old"}},
					DataCategories: []dueprocess.DataCategory{dueprocess.CategorySubscriber},
					ReceivedAt:     time.Date(2019, 5, 1, 12, 0, 0, 0, time.UTC), Status: dueprocess.StatusDisclosed}
				return db.TransactAlone(ctx, func(tx *store.Tx) error {
					return tx.ImportRequests(ctx, "history.csv", "00", []*dueprocess.Request{r}, dueprocess.System)
				})
			}},
			{dueprocess.ActionRequestCannotComply, func() error {
				status, m := e.submit(e.de, deEPOC)
				if err := expect(status, 201, m); err != nil {
					return err
				}
				status, b := e.do("POST", "/api/v1/requests/"+m["id"].(string)+"/cannot-comply", e.staff, strings.NewReader(cannotComplyBody))
				return expect(status, 201, string(b))
			}},
			{dueprocess.ActionEnforcingObjection, func() error {
				status, m := e.submit(e.de, deEPOC)
				if err := expect(status, 201, m); err != nil {
					return err
				}
				status, b := e.do("POST", "/api/v1/requests/"+m["id"].(string)+"/enforcing-objection", e.staff, strings.NewReader(objectionBody))
				return expect(status, 201, string(b))
			}},
			{dueprocess.ActionValidationRecorded, func() error {
				status, m := e.submit(e.de, emergencyEPOC(t))
				if err := expect(status, 201, m); err != nil {
					return err
				}
				status, b := e.do("POST", "/api/v1/requests/"+m["id"].(string)+"/validation", e.staff, strings.NewReader(validationBody))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionValidationReminded, func() error {
				status, m := e.submit(e.de, strings.Replace(emergencyEPOC(t), "276 Js 1234/26", "276 Js 1235/26", 1))
				if err := expect(status, 201, m); err != nil {
					return err
				}
				defer func() { db.Now = time.Now }()
				db.Now = func() time.Time { return time.Now().Add(40 * time.Hour) }
				_, _, err := db.CheckValidations(ctx, dueprocess.ValidationReminderBefore, 100)
				return err
			}},
			{dueprocess.ActionValidationLapsed, func() error {
				defer func() { db.Now = time.Now }()
				db.Now = func() time.Time { return time.Now().Add(49 * time.Hour) }
				_, refused, err := db.CheckValidations(ctx, dueprocess.ValidationReminderBefore, 100)
				if err == nil && len(refused) == 0 {
					err = fmt.Errorf("no order refused")
				}
				return err
			}},
			{dueprocess.ActionStaffDisabled, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					s := &dueprocess.Staff{Email: "leaver@example.com", Name: "Leaver", Roles: []dueprocess.Role{dueprocess.RoleIntake}}
					if err := tx.CreateStaff(ctx, s, dueprocess.System); err != nil {
						return err
					}
					return tx.DisableStaff(ctx, s.ID, dueprocess.System)
				})
			}},
			{dueprocess.ActionRequestNarrowed, func() error {
				body := strings.NewReplacer(`"subpoena"`, `"court_order"`, `"subversion"`, `"fraud"`).Replace(hkRequest)
				status, m := e.submit(e.hk, body)
				if err := expect(status, 201, m); err != nil {
					return err
				}
				nid := m["id"].(string)
				status, b := e.do("POST", "/api/v1/requests/"+nid+"/review", e.staff, strings.NewReader(`{"decision": "request_narrowing", "note": "too long a range"}`))
				if err := expect(status, 200, string(b)); err != nil {
					return err
				}
				status, b = e.do("POST", "/api/v1/requests/"+nid+"/reply", e.hk, strings.NewReader(`{"note": "two weeks", "date_range": {"from": "2026-02-01", "to": "2026-02-14"}}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionMailQueued, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					for range 2 {
						if _, err := tx.QueueMail(ctx, &dueprocess.Mail{Kind: dueprocess.MailUserNotice, To: "alice@example.org", Subject: "s", Body: "b", RequestID: id}); err != nil {
							return err
						}
					}
					return nil
				})
			}},
			{dueprocess.ActionMailSent, func() error {
				return claimOneMail(db, func(m dueprocess.OutboxMessage) error { return db.MailSent(ctx, m.ID) })
			}},
			{dueprocess.ActionMailDeferred, func() error {
				return claimOneMail(db, func(m dueprocess.OutboxMessage) error {
					return db.MailDeferred(ctx, m.ID, "451 try later", db.Now())
				})
			}},
			{dueprocess.ActionMailFailed, func() error {
				return claimOneMail(db, func(m dueprocess.OutboxMessage) error {
					return db.MailDeferred(ctx, m.ID, "550 no such user", time.Time{})
				})
			}},
			{dueprocess.ActionDeadlineReminded, func() error {
				// The request is assigned to e.staff, and due 2026-04-01.
				got, err := db.RemindDue(ctx, 24*time.Hour, 10)
				if err == nil && (len(got) != 1 || got[0] != id) {
					err = fmt.Errorf("reminded %v, want [%s]", got, id)
				}
				return err
			}},
			// Disclosure, after the reminder: it needs the request open.
			{dueprocess.ActionDataGathered, func() error {
				// The subpoena allows subscriber records; the reviewer is
				// on the case.
				status, b := e.do("POST", "/api/v1/requests/"+id+"/files?category=subscriber&name=subscriber.csv", e.staff, strings.NewReader("username\ndemosisto\n"))
				return expect(status, 201, string(b))
			}},
			{dueprocess.ActionPackageReleased, func() error {
				e.confirmCallback(id)
				status, b := e.do("POST", "/api/v1/requests/"+id+"/release", e.staff, nil)
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionPackageDownloaded, func() error {
				status, b := e.do("GET", "/api/v1/requests/"+id+"/package", e.hk, nil)
				if err := expect(status, 200, len(b)); err != nil {
					return err
				}
				// The download deletes the ciphertext after its last
				// byte; wait for it, so that its entry is in this step's.
				for range 200 {
					if p, err := db.Package(ctx, id); err == nil && p.DeletedAt != nil {
						return nil
					}
					time.Sleep(10 * time.Millisecond)
				}
				return fmt.Errorf("the downloaded package was not deleted")
			}},
			{dueprocess.ActionPackageDeleted, func() error {
				return nil // the download deleted the ciphertext, in the step above
			}},
			{dueprocess.ActionRecipientSet, func() error {
				id, _ := age.GenerateX25519Identity()
				return db.Transact(ctx, func(tx *store.Tx) error {
					return tx.SetAgeRecipient(ctx, mustPrincipal(t, db, e.de).Official.ID, id.Recipient().String(), dueprocess.System)
				})
			}},
			{dueprocess.ActionNoticesPlanned, func() error {
				// The release above planned the user's notice, in its own
				// transaction (seen is cumulative); its order runs until
				// 2026-12-31, so the notice waits.
				list, err := db.Notices(ctx, id)
				if err == nil && (len(list) != 1 || list[0].Status != dueprocess.NoticeWithheld) {
					err = fmt.Errorf("release planned %+v, want one withheld notice", list)
				}
				return err
			}},
			{dueprocess.ActionNoticeResolved, func() error {
				// A notice planned without its address, as a hold placed by a
				// status move plans it: the loop resolves it.
				other := disclosedRequest(t, db, mustPrincipal(t, db, e.hk), dueprocess.Target{Type: dueprocess.TargetUsername, Value: "held"})
				if err := db.Transact(ctx, func(tx *store.Tx) error {
					_, err := tx.PlanNotices(ctx, other, dueprocess.NoticeHoldPlaced, store.NoticePlan{Policy: dueprocess.NoticePolicy{OnHold: true, Language: "en"}})
					return err
				}); err != nil {
					return err
				}
				list, err := db.ClaimUnresolvedNotices(ctx, 10, time.Minute)
				if err != nil {
					return err
				}
				if len(list) != 1 {
					return fmt.Errorf("claimed %+v, want one unresolved notice", list)
				}
				return db.ResolveNotice(ctx, list[0].ID, "", dueprocess.DefaultNoticePolicy)
			}},
			{dueprocess.ActionNoticeReleased, func() error {
				now := db.Now
				defer func() { db.Now = now }()
				db.Now = func() time.Time { return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) }
				got, err := db.ReleaseNotices(ctx, 10)
				if err == nil && len(got) != 1 {
					err = fmt.Errorf("released %v, want one notice", got)
				}
				return err
			}},
			{dueprocess.ActionNondisclosureLifted, func() error {
				other := openEndedOrder(t, db, mustPrincipal(t, db, e.hk))
				_, err := db.LiftNondisclosure(ctx, other, mustPrincipal(t, db, e.approver).Staff, "the court lifted the order")
				return err
			}},
			{dueprocess.ActionHoldsPlaced, func() error {
				status, m := e.submit(e.hk, preservationRequest)
				preserved, _ = m["id"].(string)
				return expect(status, 201, m)
			}},
			{dueprocess.ActionHoldsLinked, func() error {
				status, m := e.submit(e.hk, strings.Replace(preservationRequest, `"preservation"`, `"user_data"`, 1))
				linked, _ = m["id"].(string)
				return expect(status, 201, m)
			}},
			{dueprocess.ActionHoldUnlinked, func() error {
				status, b := e.do("POST", "/api/v1/requests/"+linked+"/withdraw", e.hk, strings.NewReader(`{"reason": "sent in error"}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionHoldsExtended, func() error {
				status, b := e.do("POST", "/api/v1/requests/"+preserved+"/extend", e.hk, strings.NewReader(`{}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionHoldsListed, func() error {
				status, b := e.do("GET", "/api/v1/holds?request="+preserved, e.staff, nil)
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionHoldReminderDue, func() error {
				// 90 days and the extension of 90: the reminder is due a
				// week before the end.
				db.Now = func() time.Time { return time.Now().Add(175 * 24 * time.Hour) }
				w, err := db.RunHolds(ctx, 0)
				return expect(len(w.Reminded), 1, err)
			}},
			{dueprocess.ActionHoldExpired, func() error {
				db.Now = func() time.Time { return time.Now().Add(181 * 24 * time.Hour) }
				defer func() { db.Now = time.Now }()
				w, err := db.RunHolds(ctx, 0)
				return expect(len(w.Expired), 1, err)
			}},
			{dueprocess.ActionHoldReleased, func() error {
				status, m := e.submit(e.hk, preservationRequest)
				held, err := db.Holds(ctx, dueprocess.HoldFilter{RequestID: fmt.Sprint(m["id"])})
				if err != nil || len(held) != 1 {
					return fmt.Errorf("holds %v, %v (intake: %d %v)", held, err, status, m)
				}
				status, b := e.do("POST", "/api/v1/holds/"+held[0].ID+"/release", e.approver, strings.NewReader(`{"reason": "the agency asked"}`))
				return expect(status, 200, string(b))
			}},
			// The portal's accounts and shares, through the store; the
			// portal's tests drive them through its pages.
			{dueprocess.ActionAgencyDomainsSet, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					return tx.SetAgencyDomains(ctx, e.hkID, []string{"police.gov.hk", "hkpf.gov.hk"}, dueprocess.System)
				})
			}},
			{dueprocess.ActionOfficialInvited, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					_, err := tx.InviteOfficial(ctx, &dueprocess.Official{AgencyID: e.hkID, Email: "invited@police.gov.hk", Name: "Invited"},
						auth.HashToken("invite-secret"), time.Hour, dueprocess.System)
					return err
				})
			}},
			{dueprocess.ActionOfficialJoined, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					c, err := tx.Join(ctx, auth.HashToken("invite-secret"), "Invited", "$argon2id$x")
					if err == nil {
						invited = c.Official.ID
					}
					return err
				})
			}},
			{dueprocess.ActionOfficialRegistered, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					_, err := tx.RequestRegistration(ctx, &dueprocess.Official{AgencyID: e.hkID, Email: "self@hkpf.gov.hk", Name: "Self"},
						auth.HashToken("register-secret"), time.Hour)
					return err
				})
			}},
			{dueprocess.ActionOfficialApproved, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					c, err := tx.Join(ctx, auth.HashToken("register-secret"), "Self", "$argon2id$x")
					if err != nil {
						return err
					}
					return tx.ApproveOfficial(ctx, c.Official.ID, dueprocess.System)
				})
			}},
			{dueprocess.ActionPasskeyAdded, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					return tx.AddPasskey(ctx, &store.Passkey{ID: []byte("credential-id"), OfficialID: invited, Credential: "{}"})
				})
			}},
			{dueprocess.ActionRequestShared, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					return tx.ShareRequest(ctx, e.hkID, id, invited, dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: mustPrincipal(t, db, e.hk).Official.ID})
				})
			}},
			// Sign-in: the console (issue 5) drives these; the store
			// records them, so they are performed here through it.
			{dueprocess.ActionPasswordSet, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					return tx.SetPassword(ctx, mustPrincipal(t, db, e.staff).Staff.ID, auth.HashPassword("correct horse battery staple"), dueprocess.System)
				})
			}},
			{dueprocess.ActionTOTPEnrolled, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					return tx.EnrolTOTP(ctx, mustPrincipal(t, db, e.staff).Staff.ID, "JBSWY3DPEHPK3PXP", 1, dueprocess.System)
				})
			}},
			{dueprocess.ActionSignin, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					session = &store.Session{StaffID: mustPrincipal(t, db, e.staff).Staff.ID, CSRF: "c", Address: "192.0.2.1", UserAgent: "test"}
					return tx.CreateSession(ctx, session, []byte("session-hash"))
				})
			}},
			{dueprocess.ActionSigninFailed, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					return tx.RecordSigninFailure(ctx, "reviewer@example.com", "192.0.2.1", "wrong password", "account:reviewer@example.com")
				})
			}},
			{dueprocess.ActionSignout, func() error {
				return db.Transact(ctx, func(tx *store.Tx) error { return tx.EndSession(ctx, session, "signed out") })
			}},
			// Verification (docs/verification.md), last: a failed callback
			// suspends the HK official.
			{dueprocess.ActionAgencyContactSet, func() error {
				status, b := e.do("POST", "/api/v1/agencies/"+e.hkID+"/contact", e.admin, strings.NewReader(`{"callback_phone": "+852 2860 2000", "supervisor_contact": "Supt Lee"}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionCallbackRecorded, func() error {
				status, b := e.do("POST", "/api/v1/requests/"+id+"/callback", e.intake, strings.NewReader(`{"dialled": "+852 2860 2000", "reached": "Sgt Wong", "outcome": "confirmed"}`))
				return expect(status, 201, string(b))
			}},
			{dueprocess.ActionRequestForged, func() error {
				status, m := e.submit(e.hk, strings.ReplaceAll(hkRequest, "HKPF-2026-0113", "HKPF-2026-0999"))
				if err := expect(status, 201, m); err != nil {
					return err
				}
				status, b := e.do("POST", "/api/v1/requests/"+m["id"].(string)+"/callback", e.intake, strings.NewReader(`{"dialled": "+852 2860 2000", "reached": "Sgt Wong", "outcome": "failed"}`))
				return expect(status, 201, string(b))
			}},
			{dueprocess.ActionOfficialReinstated, func() error {
				// The failed callback above suspended the HK official.
				official := mustPrincipalAt(t, db, e.hkID)
				status, b := e.do("POST", "/api/v1/officials/"+official+"/reinstate", e.admin, strings.NewReader(`{"reason": "confirmed in person"}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionOfficialSuspended, func() error {
				official := mustPrincipalAt(t, db, e.hkID)
				status, b := e.do("POST", "/api/v1/officials/"+official+"/suspend", e.admin, strings.NewReader(`{"reason": "again"}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionAgencySuspended, func() error {
				status, b := e.do("POST", "/api/v1/agencies/"+e.hkID+"/suspend", e.admin, strings.NewReader(`{"reason": "hijacked"}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionAgencyReinstated, func() error {
				status, b := e.do("POST", "/api/v1/agencies/"+e.hkID+"/reinstate", e.admin, strings.NewReader(`{"reason": "rebuilt"}`))
				return expect(status, 200, string(b))
			}},
			{dueprocess.ActionAgencyKeySet, func() error {
				_, vkey, err := note.GenerateKey(nil, "police.gov.hk")
				if err != nil {
					return err
				}
				return db.SetAgencyKey(ctx, e.hkID, vkey, dueprocess.System)
			}},
			{dueprocess.ActionAlertDismissed, func() error {
				alerts, err := db.Alerts(ctx)
				if err != nil || len(alerts) == 0 {
					return fmt.Errorf("alerts %v: %v", alerts, err)
				}
				return db.DismissAlert(ctx, alerts[0].ID, dueprocess.System)
			}},
		}

		var covered []string
		seen := map[string]bool{}
		for _, step := range steps {
			covered = append(covered, step.action)
			before, err := log.Size(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := step.do(); err != nil {
				t.Fatalf("%s: %v", step.action, err)
			}
			after, _ := log.Size(ctx)
			err = log.Entries(ctx, before, after, func(_ int64, data []byte) error {
				en, err := audit.Decode(data)
				seen[en.Action] = true
				// Intake records the policy's decision on a new request,
				// and the move it makes, in the request's one entry.
				if en.Action == dueprocess.ActionRequestCreated {
					var b struct {
						Decision *struct{ Outcome, Policy string }
						Status   json.RawMessage // an import's entry has the status it kept
					}
					if err := json.Unmarshal(en.Body, &b); err != nil {
						return err
					}
					if b.Decision != nil && b.Decision.Outcome != "" && b.Decision.Policy != "" {
						seen[dueprocess.ActionRequestDecided] = true
					}
					var move struct{ From, To string }
					if json.Unmarshal(b.Status, &move) == nil && move.From != "" && move.From != move.To {
						seen[dueprocess.ActionRequestStatus] = true
					}
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if !seen[step.action] {
				t.Errorf("%s: no audit entry with this action", step.action)
			}
		}
		for _, a := range dueprocess.Actions {
			if !slices.Contains(covered, a) {
				t.Errorf("action %s has no step in this test", a)
			}
		}

		_, verifier, _, err := audit.CreateKey(t.TempDir(), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := audit.Verify(ctx, log, verifier, audit.DefaultKeyName, nil); err != nil {
			t.Errorf("the log does not verify: %v", err)
		}
	})
}

// preservationRequest is a preservation request that the default policy
// sends to review: a court order about fraud, from Hong Kong.
var preservationRequest = strings.NewReplacer(`"user_data"`, `"preservation"`, `"subpoena"`, `"court_order"`, `"subversion"`, `"fraud"`).Replace(hkRequest)

func expect(got, want int, detail any) error {
	if got != want {
		return fmt.Errorf("status %d, want %d: %v", got, want, detail)
	}
	return nil
}

func mustPrincipal(t *testing.T, db *store.DB, token string) *dueprocess.Principal {
	t.Helper()
	p, err := db.PrincipalByTokenHash(ctx, auth.HashToken(token))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mustPrincipalAt returns the id of the first official of an agency.
func mustPrincipalAt(t *testing.T, db *store.DB, agencyID string) string {
	t.Helper()
	var id string
	if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM officials WHERE agency_id = $1 ORDER BY created_at, id LIMIT 1`, agencyID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// claimOneMail claims one due message from the outbox and passes it to do.
func claimOneMail(db *store.DB, do func(m dueprocess.OutboxMessage) error) error {
	list, err := db.ClaimMail(ctx, 1, time.Minute)
	if err != nil {
		return err
	}
	if len(list) != 1 {
		return fmt.Errorf("claimed %d messages, want 1", len(list))
	}
	return do(list[0])
}
