-- datashare schema, version 26 (SQLite): a correction's form — what the reporting department
-- wrote: the records or fields concerned, the description, the evidence (attachment
-- references and text) and, where the report relays one, the source of a citizen's objection
-- — kept whole as one JSON object in `form` instead of a column per field. No list filters or
-- sorts by them; a field added to the form (workflows/contract CorrectionForm) is then stored
-- and shown with no migration. The resource, the departments, the status and the result stay
-- columns. The MySQL twin is migrations/mysql/00026_correction_form.sql.

-- +goose Up
ALTER TABLE corrections ADD COLUMN form TEXT NOT NULL DEFAULT '{}';
UPDATE corrections SET form = json_object(
    'fields', json(COALESCE(NULLIF(fields, ''), '[]')), 'description', description,
    'evidence', json_object('attachments', json(COALESCE(NULLIF(attachments, ''), '[]')), 'text', evidence_text));
UPDATE corrections SET form = json_set(form, '$.citizen_objection', json_object('source', citizen_source))
    WHERE citizen_objection;
ALTER TABLE corrections DROP COLUMN fields;
ALTER TABLE corrections DROP COLUMN description;
ALTER TABLE corrections DROP COLUMN attachments;
ALTER TABLE corrections DROP COLUMN evidence_text;
ALTER TABLE corrections DROP COLUMN citizen_objection;
ALTER TABLE corrections DROP COLUMN citizen_source;

-- +goose Down
ALTER TABLE corrections ADD COLUMN fields TEXT NOT NULL DEFAULT '[]';
ALTER TABLE corrections ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE corrections ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
ALTER TABLE corrections ADD COLUMN evidence_text TEXT NOT NULL DEFAULT '';
ALTER TABLE corrections ADD COLUMN citizen_objection BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE corrections ADD COLUMN citizen_source VARCHAR(255) NOT NULL DEFAULT '';
-- A list the worker wrote empty is null in the form: [] in its column.
UPDATE corrections SET
    fields = CASE json_type(form, '$.fields') WHEN 'array' THEN json_extract(form, '$.fields') ELSE '[]' END,
    description = COALESCE(json_extract(form, '$.description'), ''),
    attachments = CASE json_type(form, '$.evidence.attachments')
        WHEN 'array' THEN json_extract(form, '$.evidence.attachments') ELSE '[]' END,
    evidence_text = COALESCE(json_extract(form, '$.evidence.text'), ''),
    citizen_objection = COALESCE(json_type(form, '$.citizen_objection') = 'object', 0),
    citizen_source = COALESCE(json_extract(form, '$.citizen_objection.source'), '');
ALTER TABLE corrections DROP COLUMN form;
