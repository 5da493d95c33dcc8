/** Prompt runs and chats (F4.5, F4.6): the tables both dialects share, numbered 007 in both. */
import { promptTablesSql } from '../../prompt-tables.js';

export const sql = promptTablesSql('BIGINT');
