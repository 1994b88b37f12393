package envelope

// A zstd dictionary primes the compression of every batch with the JSON a
// batch of changes is made of: the change's own keys and the fields of the
// records a front desk writes most. A batch of a dozen changes, as a
// workstation syncing every few minutes pushes, compresses about a third
// smaller with it; a large batch gains little and loses nothing.
//
// The dictionary is part of the batch format: a frame names the ID of the
// dictionary it was compressed with, and this content may never change
// under that ID. A better dictionary takes a new ID, and the decoder keeps
// every old one. Frames without a dictionary (the first batches written)
// decode as before.
const dictionaryID = 0x4d53_0001

// dictionary is the content of dictionaryID, frozen.
const dictionary = `[{"kind":"patient","id":"","fields":{"address":"","consent":{"sms":false,"email":false,"telemedicine":false,"data_sharing":false},` +
	`"created_at":"2026-01-01T09:00:00Z","created_by":"","deleted":false,"dob":"19","email":"","emergency_contact":"","id":"",` +
	`"insurance_number":"","insurer_name":"","name":"","phone":"+44 ","sex":"","updated_at":"2026-01-01T09:00:00Z"},` +
	`"author":"desk","device":"","seq":1,"hlc":1},` +
	`{"kind":"appointment","id":"","fields":{"checked_in_at":"0001-01-01T00:00:00Z","created_at":"2026-01-01T09:00:00Z","created_by":"desk",` +
	`"deleted":false,"doctor":"dr.","id":"","minutes":15,"patient_id":"","reason":"","room":"","start":"2026-01-01T09:00:00Z",` +
	`"status":"booked","status_reason":"","updated_at":"2026-01-01T09:00:00Z"},"author":"desk","device":"","seq":2,"hlc":2},` +
	`{"kind":"appointment","id":"","fields":{"checked_in_at":"2026-01-01T09:00:00Z","status":"checked_in","updated_at":"2026-01-01T09:00:00Z"}},` +
	`{"kind":"appointment","id":"","fields":{"status":"in_progress","updated_at":""}},` +
	`{"kind":"appointment","id":"","fields":{"status":"completed","updated_at":""}},` +
	`{"kind":"appointment","id":"","fields":{"status":"no_show","updated_at":""}},` +
	`{"kind":"appointment","id":"","fields":{"status":"cancelled","status_reason":"patient called to cancel","updated_at":""}},` +
	`{"kind":"note","id":"","fields":{"appointment_id":"","assessment":"","author":"","objective":"","patient_id":"","plan":"","subjective":""}},` +
	`{"kind":"vital","id":"","fields":{"patient_id":"","recorded_by":"","pulse":,"systolic":,"diastolic":,"temperature_c":,"weight_kg":}},` +
	`{"kind":"invoice","id":"","fields":{"patient_id":"","items":[{"description":"","amount":}],"status":"issued","total":}},` +
	`{"kind":"payment","id":"","fields":{"invoice_id":"","amount":,"method":"card"}},` +
	`{"kind":"schedule","id":"","fields":{"doctor":"","hours":[[{"start":540,"end":720}]],"slot_minutes":15}}]`
