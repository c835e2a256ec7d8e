/*
 * filter: the contact-detail filter of message bodies (SPEC §11).
 *
 * The commonest way round a masked number is to send the real one, so a
 * body holding a phone number or an e-mail address is redacted or blocked
 * (MESSAGE_FILTER=redact|block|off; the caller decides which). This module
 * only finds the contact details and, for redact, rewrites the text. It is
 * pure: no configuration, no allocation in filter_scan(), linear time.
 *
 * Text is UTF-8 but may hold any bytes (NUL, invalid sequences): they never
 * match and never stop the scan; nothing is read past len. Hits always
 * start and end on character boundaries, so redacting valid UTF-8 with a
 * valid UTF-8 mark gives valid UTF-8.
 *
 * Phone numbers. A candidate is a run of digit groups joined by the
 * separators people type: one space (or a no-break or thin space), '.',
 * '-', '/', an en dash, " - " or " / ", and parentheses round a group
 * ("(415) 555-0100", "+49 (0)30 1234567"; fullwidth dashes and
 * parentheses too), with an optional leading '+' and a trailing
 * extension (" ext 12", " x12"). Digits are ASCII,
 * fullwidth (０-９), Arabic-Indic (٠-٩, ۰-۹) or Devanagari (०-९); digits
 * typed one by one ("4 1 5 5 5 5 0 1 0 0") are a run like any other. A
 * candidate of 7 to 15 digits is a phone number unless one of these says
 * it is something else:
 *  - glued to a word: a Latin, Greek or Cyrillic letter right before it
 *    (or before a '-' right before it: "ABC-1234567") or right after it
 *    ("1Z999AA10123456784", "v2.1234567"). Chinese, Japanese and the like
 *    write numbers against words, so their characters do not glue;
 *  - a '#' or '〒' right before it ("order #123456789", "〒100-0001"),
 *    but not "my #" (nor "ur #", "mi #" ...) or a phone word and '#';
 *  - money or a quantity: a currency sign or code next to it ("$", "€",
 *    "R$", "USD", "руб", "元"), '%' or a unit or count word after it
 *    ("km", "people", "人");
 *  - its shape: a date (2024-12-06, 06/12/2024, 12.06.2024 and the like,
 *    with a plausible day, month and year), a time range (10.30-11.45),
 *    thousands ("1.250.000", "1 250 000", "12 500 000"), a round amount
 *    (1500000), decimals (37.4220936, the 1415926 of 3.1415926), a
 *    negative number, a version (120.0.6099.109), an IPv4 address, a list
 *    of years (2019 2020 2021), counting (1 2 3 4 5 6 7, 100 200 300 400)
 *    or numbers in order (5 12 23 34 45 56),
 *    one digit repeated (11111111), a Brazilian CEP (01310-200), a US
 *    ZIP+4 after a state code (CA 94043-1351), a house number and a
 *    postcode (12 10115);
 *  - the words before it, up to four in the same sentence: if the nearest
 *    one that means anything names an order, reference, invoice, tracking,
 *    booking, flight, account, ID, price, version or postcode (order, ref,
 *    invoice, tracking, flight, booking, Bestellnummer, commande, pedido,
 *    ordine, encomenda, заказ, 订单, 注文, ऑर्डर, طلب ...) it is not a phone;
 *    if it says phone (call, text, tel, WhatsApp, llama, appelle, ruf,
 *    звони, 电话, 電話, फोन, اتصل ...) it is, and so it is when Chinese or
 *    Japanese put that word right after it ("...まで電話ください").
 * A run of more than 15 digits (a card, an IBAN, two numbers in a row) is
 * not a phone; when it holds " - " or " / " each side is judged alone.
 * Times written with ':' or 'h' (10:30, 14h30) never join a run, nor does
 * a short group glued to a word at its end ("415 555 0100 5pm").
 *
 * E-mail addresses. local@domain.tld (ASCII local part and domain, a TLD
 * of 2 to 24 letters), also with '＠', with a space on either side of the
 * '@', with "(at)", "[at]", "{at}", "<at>", "arroba" or "собака" for '@',
 * and with " dot ", "(dot)", "[dot]", "punto", "ponto", "point", "punkt"
 * or "точка" for a dot when the TLD is a common one (com, net, org, de
 * ...); with a spelled '@', spelled dots in the local part too ("mike dot
 * t at gmail dot com"). A bare " at " counts only with a spelled dot or a
 * webmail domain ("ana at gmail.com", "ana at example dot com"), so "see
 * you at example.com" is left alone.
 *
 * Not caught: numbers in words ("four one five"), with letters for digits
 * ("415 555 O1OO"), split over several messages or by other text
 * ("415 555 and then 0100"), of fewer than 7 digits, or said to be
 * something else by a context word; e-mail addresses with a non-ASCII
 * local part, without a TLD ("ana at gmail"), or spelled in other ways
 * ("ana gmail com"); handles of other services (@ana, WhatsApp or
 * Telegram names) and links.
 *
 * Usage:
 *	struct buf	out;
 *	size_t		n;
 *
 *	if (filter_scan(body, len, NULL, 0) > 0)	(block)
 *		...
 *	buf_init(&out, 2 * len + 4096);		(redact)
 *	if (filter_redact(body, len, FILTER_MARK, &out, &n) == ERR_OK)
 *		... buf_str(&out) ...
 *	buf_free(&out);
 */
#ifndef FILTER_H
#define FILTER_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* The default mark a redacted contact detail is replaced with. */
#define FILTER_MARK	"[redacted]"

enum filter_kind {
	FILTER_PHONE,
	FILTER_EMAIL,
};

/* One contact detail: bytes off to off + len of the text. */
struct filter_hit {
	size_t			off;
	size_t			len;
	enum filter_kind	kind;
};

/*
 * Finds the contact details in the len bytes of text (borrowed for the
 * call; may be NULL when len is 0). Returns how many there are; the first
 * max of them (hits may be NULL when max is 0) are written to hits, in
 * order, without overlap. Cannot fail; allocates nothing.
 */
size_t		filter_scan(const char *text, size_t len,
		    struct filter_hit *hits, size_t max);

/*
 * Appends to out the len bytes of text with every contact detail replaced
 * by mark (a NUL-terminated string; NULL means FILTER_MARK); both borrowed
 * for the call. When nhits is not NULL it is set to the number replaced.
 * Returns ERR_OK, or ERR_TOOBIG or ERR_NOMEM from out, which is then left
 * as it was before the call.
 */
enum err	filter_redact(const char *text, size_t len, const char *mark,
		    struct buf *out, size_t *nhits);

#endif
