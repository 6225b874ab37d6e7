/**
 * Completeness audit: compares the API's history of each chosen session with the session's
 * records in the events topic, and the files and sessions lists with their topics, and can produce
 * what is missing ({@code qoder-kafka audit}).
 *
 * <p>Public surface: {@link com.qoder.kafka.audit.Auditor} (runs an audit), {@link
 * com.qoder.kafka.audit.AuditOptions} (what to audit, its request budget, whether to repair) and
 * {@link com.qoder.kafka.audit.AuditReport} (the outcome, as data and JSON). The comparison, the
 * partition scan and the repair producer are package-private.
 */
package com.qoder.kafka.audit;
