/**
 * The id of a stored row as the API takes it: a positive integer both stores can hold
 * (PostgreSQL's `integer` ends at 2^31 − 1; a larger id is refused as invalid input, not a 500).
 */
import { Type } from 'typebox';

export const MAX_ROW_ID = 2_147_483_647;

export const RowId = () => Type.Integer({ minimum: 1, maximum: MAX_ROW_ID });
