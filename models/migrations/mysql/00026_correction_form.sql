-- datashare schema, version 26 (MySQL / MariaDB / TiDB): a correction's form — what the
-- reporting department wrote: the records or fields concerned, the description, the evidence
-- (attachment references and text) and, where the report relays one, the source of a
-- citizen's objection — kept whole as one JSON object in `form` instead of a column per field.
-- No list filters or sorts by them; a field added to the form (workflows/contract
-- CorrectionForm) is then stored and shown with no migration. The resource, the departments,
-- the status and the result stay columns. The SQLite twin is
-- migrations/sqlite/00026_correction_form.sql.

-- +goose Up
ALTER TABLE corrections ADD COLUMN form TEXT NULL;
-- JSON_EXTRACT(list, '$') embeds a list column as JSON, not as a string.
UPDATE corrections SET form = JSON_OBJECT(
    'fields', JSON_EXTRACT(COALESCE(NULLIF(fields, ''), '[]'), '$'), 'description', description,
    'evidence', JSON_OBJECT('attachments', JSON_EXTRACT(COALESCE(NULLIF(attachments, ''), '[]'), '$'),
        'text', evidence_text));
UPDATE corrections SET form = JSON_SET(form, '$.citizen_objection', JSON_OBJECT('source', citizen_source))
    WHERE citizen_objection;
ALTER TABLE corrections MODIFY form TEXT NOT NULL;
ALTER TABLE corrections DROP COLUMN fields, DROP COLUMN description, DROP COLUMN attachments,
    DROP COLUMN evidence_text, DROP COLUMN citizen_objection, DROP COLUMN citizen_source;

-- +goose Down
ALTER TABLE corrections ADD COLUMN fields TEXT NULL, ADD COLUMN description TEXT NULL,
    ADD COLUMN attachments TEXT NULL, ADD COLUMN evidence_text TEXT NULL,
    ADD COLUMN citizen_objection BOOLEAN NULL, ADD COLUMN citizen_source VARCHAR(255) NULL;
-- A list the worker wrote empty is null in the form: [] in its column.
UPDATE corrections SET
    fields = CASE JSON_TYPE(JSON_EXTRACT(form, '$.fields'))
        WHEN 'ARRAY' THEN JSON_EXTRACT(form, '$.fields') ELSE '[]' END,
    description = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.description')), ''),
    attachments = CASE JSON_TYPE(JSON_EXTRACT(form, '$.evidence.attachments'))
        WHEN 'ARRAY' THEN JSON_EXTRACT(form, '$.evidence.attachments') ELSE '[]' END,
    evidence_text = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.evidence.text')), ''),
    citizen_objection = COALESCE(JSON_TYPE(JSON_EXTRACT(form, '$.citizen_objection')) = 'OBJECT', FALSE),
    citizen_source = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(form, '$.citizen_objection.source')), '');
ALTER TABLE corrections MODIFY fields TEXT NOT NULL, MODIFY description TEXT NOT NULL,
    MODIFY attachments TEXT NOT NULL, MODIFY evidence_text TEXT NOT NULL,
    MODIFY citizen_objection BOOLEAN NOT NULL, MODIFY citizen_source VARCHAR(255) NOT NULL;
ALTER TABLE corrections DROP COLUMN form;
