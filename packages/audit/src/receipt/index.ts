/** Per-command receipts: one JSON record of what a command did and with what result. */
export type { Receipt, ReceiptArtifact, ReceiptMode, ReceiptProvenance, ReceiptRuleHit } from './receipt.types.js';
export { writeReceipt, validateReceipt, truncateError } from './write-receipt.js';
