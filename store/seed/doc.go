// Package seed writes a realistic synthetic clinic through a store session:
// doctors with hours and rooms, front-desk, nursing and billing staff,
// patients with varied names, past and future appointments with realistic
// statuses, notes, vitals, allergies, prescriptions, invoices with payments
// and messages. The same options give the same content.
//
// It goes through the store's sessions like any user would, so permissions,
// validation and conflict checks all apply. It must not import tui or sync.
package seed
