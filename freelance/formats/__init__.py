"""The formats a face speaks: text tables, exports, vCards, documents and bank statements."""
