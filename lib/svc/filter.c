#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "svc/filter.h"

/*
 * The scan goes left to right once. E-mail addresses are found from their
 * '@' (or its spelled form), which lies inside them, so the next address is
 * looked for ahead of the phone scan, and a phone candidate that would run
 * into it gives way to it.
 */

#define GROUPS_MAX	20	/* digit groups in one phone candidate */
#define PHONE_MIN	7
#define PHONE_MAX	15	/* E.164's longest */
#define CONTEXT_BYTES	64	/* how far back the words before a number go */
#define CONTEXT_WORDS	4
#define WORD_MAX	48	/* bytes of a word that are looked at */
#define DOMAIN_MAX	255
#define LABELS_MAX	16

enum sep {
	SEP_NONE,
	SEP_SPACE,
	SEP_DOT,
	SEP_DASH,
	SEP_SLASH,
	SEP_PAREN,
	SEP_WIDE,	/* " - " or " / ": may join two numbers */
};

enum verdict {
	V_NONE,
	V_CLEAN,	/* the words say it is not a phone number */
	V_PHONE,
};

struct group {
	size_t		 off, end;
	unsigned	 nd;		/* digits */
	unsigned long	 val;		/* value of its first 9 digits */
	int		 first;		/* its first digit */
	enum sep	 sep;		/* the separator before it */
};

struct cand {
	size_t		 start, end;	/* with a leading '+' or '(', and ')' */
	size_t		 n;
	struct group	 g[GROUPS_MAX];
};

struct scanner {
	const unsigned char	*p;
	size_t			 n;
	size_t			 pos;
	size_t			 last;	/* where the last hit ended */
	int			 email;	/* 0 not looked for, 1 found, 2 none */
	size_t			 eoff, eend;
};

/*
 * Words before a number that say what it is. ASCII stems of three bytes or
 * less match a whole word, longer ones its start; stems in scripts from
 * Arabic up (no capitals, often no spaces) match anywhere in the word.
 * Number words ("number", "nº", "номер", "号码") are in neither list: they
 * are looked past.
 */
static const char *const clean_words[] = {
	"order", "orden", "ordine", "pedido", "commande", "bestell", "auftrag",
	"encomenda", "purchase", "po",
	"ref", "refer", "réf", "rif", "riferim",
	"invoice", "inv", "factura", "facture", "fattura", "fatura", "rechnung",
	"billing", "receipt", "recibo", "reçu", "ricevuta", "beleg",
	"quittung",
	"tracking", "track", "trk", "seguimiento", "rastreio", "rastreamento",
	"suivi", "sendung", "tracciam", "spedizion", "envío", "envio",
	"shipment", "parcel", "package", "paquete", "colis", "paket", "pacco",
	"pacote", "awb", "waybill", "consignment", "usps", "fedex", "dhl",
	"correos",
	"booking", "reserv", "réserv", "buchung", "prenotaz", "confirm",
	"conferm", "bestätig", "pnr", "itinerar", "ticket", "billet",
	"biglietto", "bilhete", "boleto",
	"flight", "flt", "vuelo", "vol", "flug", "volo", "voo", "train", "tren",
	"zug", "treno", "trem", "bus", "gate", "seat",
	"account", "acct", "acc", "cuenta", "conta", "compte", "konto", "conto",
	"kunden",
	"id", "ident", "dni", "nie", "nif", "cpf", "cnpj", "rg", "ssn",
	"passport", "pasaporte", "passeport", "reisepass", "passaporte",
	"aadhaar", "aadhar", "pan", "iban", "swift", "bic", "vat", "tva", "iva",
	"gst", "ust", "siret", "siren", "steuer", "tax", "license", "licence",
	"licencia", "plate", "placa", "matrícula", "matricula",
	"serial", "serie", "imei", "model", "modelo", "sku", "asin", "isbn",
	"ean", "upc", "item", "artikel", "article", "articolo", "artigo", "art",
	"part", "lot", "lote", "batch", "case", "caso", "claim", "policy",
	"póliza", "apólice", "polizza", "contract", "contrato", "vertrag",
	"contratto", "transaction", "txn", "transfer", "payment", "pago",
	"paiement", "zahlung", "pagamento", "protocol", "protokoll",
	"price", "precio", "preço", "prix", "preis", "prezzo", "cost", "costo",
	"custo", "coût", "kosten", "total", "amount", "monto", "importe",
	"montant", "betrag", "importo", "valor", "value", "salary", "salario",
	"budget", "paid", "pagué", "paguei", "payé", "bezahlt", "pagato",
	"usd", "eur", "gbp", "inr", "brl", "rub", "cny", "rmb", "jpy", "chf",
	"mxn", "ars", "rs", "euro", "dollar", "rupee",
	"zip", "plz", "cep", "postal", "postcode", "pin", "pincode", "otp",
	"code", "código", "codice", "verif", "vérif", "passcode",
	"version", "v", "build", "release", "versión", "versão",
	"versione",
	"coord", "lat", "latitude", "lng", "lon", "long", "longitude", "gps",
	"fiscal", "nfe",
	"year", "page", "página", "seite", "pagina", "chapter",
	"report", "error", "err", "issue", "job", "request", "solicitud",
	"demande", "anfrage", "richiesta", "incident", "chamado", "ip", "vin",
	"заказ", "счет", "счёт", "трек", "посылк", "отправлен", "накладн",
	"рейс", "бронь", "брониров", "билет", "артикул", "инн", "снилс",
	"паспорт", "цена", "стоимост", "итого", "сумма", "руб", "индекс",
	"код", "версия", "договор", "платеж", "платёж", "квитанц",
	"订单", "訂單", "单号", "單號", "快递", "快遞", "运单", "運單", "物流",
	"航班", "预订", "预定", "預訂", "发票", "發票", "价格", "價格", "价钱",
	"总价", "金额", "金額", "邮编", "郵便", "注文", "予約", "追跡",
	"伝票", "便名", "請求", "価格", "値段", "合計", "型号", "型番",
	"問い合わせ番号", "問合せ番号", "身份证", "账号", "帳號", "口座",
	"版本", "バージョン",
	"ऑर्डर", "आदेश", "बिल", "टिकट", "उड़ान", "बुकिंग", "कीमत", "दाम",
	"रुपये", "पिन", "ट्रैकिंग",
	"طلب", "فاتورة", "حجز", "رحلة", "تتبع", "شحنة", "سعر", "ريال", "درهم",
	"جنيه", "رمز", "حساب",
};

static const char *const phone_words[] = {
	"call", "text", "txt", "sms", "msg", "message", "ring", "phone", "ph",
	"tel", "telef", "telep", "teléf", "tél", "cel", "cell", "celular",
	"mobile", "mob", "móvil", "movil", "whatsapp", "wa", "whats", "zap",
	"signal", "telegram", "viber", "contact", "contacto", "contato",
	"contatto", "kontakt", "reach", "dial", "hotline", "fax", "landline",
	"helpline",
	"llama", "llám", "llamar", "marca", "escríbe", "escribe", "appel",
	"joindre", "ruf", "anruf", "handy", "chiama", "cellulare", "liga",
	"ligue", "fala",
	"звони", "позвони", "телефон", "тел", "моб", "сотов", "вотсап",
	"ватсап", "пиши", "напиши",
	"电话", "電話", "手机", "手機", "微信", "联系", "聯繫", "聯絡", "打给",
	"打給", "携帯", "ケータイ", "連絡", "拨打", "撥打",
	"फोन", "फ़ोन", "कॉल", "मोबाइल", "व्हाट्सएप",
	"اتصل", "هاتف", "جوال", "موبايل", "واتس", "تلفون", "رقمي",
};

/* Words before "#" that make it "number" ("my # 415 555 0100"). */
static const char *const possessives[] = {
	"my", "ur", "your", "his", "her", "mi", "mon", "ma", "meu", "minha",
	"mein", "meine", "мой",
};

/* Words right after a number that make it money or a count. */
static const char *const after_words[] = {
	"eur", "euro", "usd", "dollar", "dólar", "dolar", "reais",
	"rs", "rupee", "rupia", "inr", "brl", "rub", "yuan", "rmb", "cny",
	"jpy", "yen", "gbp", "pound", "libra", "peso", "mxn", "chf", "kr",
	"zł", "franc", "million", "millon", "millón", "milhõ", "mil", "k",
	"lakh", "crore",
	"km", "kg", "mb", "gb", "kb", "tb", "mm", "cm", "m", "g", "mg", "ml",
	"l", "lb", "lbs", "mile", "meter", "metro", "mètre", "unit",
	"unidad", "unité", "stück", "pcs", "piece", "pieza", "people", "person",
	"personas", "personnes", "pessoas", "persone", "leute", "menschen",
	"views", "follower", "seguidor", "pts",
	"times", "veces", "vezes", "fois", "volte", "byte", "words",
	"palabras", "mots", "wörter",
	"руб", "р", "долл", "евро", "тыс", "млн", "человек", "раз",
	"元", "円", "块", "塊", "万", "萬", "亿", "億", "人", "个", "個", "件",
	"次", "名",
	"लाख", "करोड़", "रुपये",
	"ريال", "درهم", "جنيه", "دولار", "يورو",
};

/* Words spelled for '@' and '.' in e-mail addresses. */
static const char *const at_words[] = { "@", "arroba", "собака" };
static const char *const dot_words[] = {
	"dot", "punto", "ponto", "point", "punkt", "точка",
};
/* Domains that make a bare " at " an address ("ana at gmail.com"). */
static const char *const webmail[] = {
	"gmail", "googlemail", "yahoo", "hotmail", "outlook", "live", "msn",
	"icloud", "aol", "proton", "protonmail", "gmx", "yandex", "mail",
	"qq", "163", "126", "sina", "naver", "libero", "orange", "free",
	"wanadoo", "uol", "bol", "terra", "rediffmail", "zoho", "web",
};
/* Top-level domains a spelled dot may lead to. */
static const char *const common_tlds[] = {
	"com", "net", "org", "edu", "gov", "io", "co", "uk", "de", "fr", "es",
	"it", "br", "ru", "cn", "in", "jp", "mx", "ar", "info", "biz", "me",
	"us", "ca", "au", "nl", "be", "ch", "at", "pt", "pl", "se", "no", "dk",
	"fi", "ie", "eu", "cl", "pe", "ua", "tr", "kr",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The code point at p[i] and its length in *l; -1 (length 1) when invalid. */
static long
cp_at(const unsigned char *p, size_t n, size_t i, size_t *l)
{
	unsigned long	 c;
	size_t		 k;

	if (i >= n) {
		*l = 0;
		return -2;
	}
	if ((k = utf8_decode(p + i, n - i, &c)) == 0) {
		*l = 1;
		return -1;
	}
	*l = k;
	return (long)c;
}

/*
 * The code point that ends right before p[i], not starting before lo, and
 * its start in *st; -1 (one byte) when invalid, -2 when there is none.
 */
static long
cp_before(const unsigned char *p, size_t lo, size_t i, size_t *st)
{
	size_t	 k, l;
	long	 c;

	if (i <= lo) {
		*st = i;
		return -2;
	}
	k = i - 1;
	while (k > lo && i - k < 4 && (p[k] & 0xc0) == 0x80)
		k--;
	c = cp_at(p, i, k, &l);
	if (c < 0 || k + l != i) {
		*st = i - 1;
		return -1;
	}
	*st = k;
	return c;
}

static int
digit_of(long c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 0xff10 && c <= 0xff19)		/* fullwidth */
		return (int)(c - 0xff10);
	if (c >= 0x660 && c <= 0x669)		/* Arabic-Indic */
		return (int)(c - 0x660);
	if (c >= 0x6f0 && c <= 0x6f9)		/* extended (Persian, Urdu) */
		return (int)(c - 0x6f0);
	if (c >= 0x966 && c <= 0x96f)		/* Devanagari */
		return (int)(c - 0x966);
	return -1;
}

static int
digit_at(const unsigned char *p, size_t n, size_t i, size_t *l)
{
	if (i < n && p[i] >= '0' && p[i] <= '9') {
		*l = 1;
		return p[i] - '0';
	}
	if (i >= n || p[i] < 0x80) {
		*l = 1;
		return -1;
	}
	return digit_of(cp_at(p, n, i, l));
}

/* A letter that makes a number part of a code when it touches it. */
static bool
is_glue(long c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= 0xc0 && c <= 0x24f && c != 0xd7 && c != 0xf7) ||
	    (c >= 0x370 && c <= 0x52f);
}

/* A character of a word: a letter of any script, not a digit or a mark. */
static bool
is_wordc(long c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	if (c < 0xc0 || digit_of(c) >= 0)
		return false;
	if ((c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x3003) ||
	    (c >= 0x3008 && c <= 0x3020) || (c >= 0xfe30 && c <= 0xfe4f) ||
	    (c >= 0xff00 && c <= 0xff20) || (c >= 0xff3b && c <= 0xff40) ||
	    (c >= 0xff5b && c <= 0xff65) || (c >= 0xffe0 && c <= 0xffef))
		return false;
	return c != 0x60c && c != 0x61b && c != 0x61f && c != 0x66a &&
	    c != 0x66b && c != 0x66c && c != 0x6d4 && c != 0x964 && c != 0x965;
}

static bool
is_currency(long c)
{
	return c == '$' || (c >= 0xa2 && c <= 0xa5) ||
	    (c >= 0x20a0 && c <= 0x20cf) || c == 0xff04 || c == 0xffe0 ||
	    c == 0xffe1 || c == 0xffe5 || c == 0xffe6;
}

static bool
is_space(long c)
{
	return c == ' ' || c == 0xa0 || c == 0x2007 || c == 0x2009 ||
	    c == 0x202f;
}

static bool
is_dash(long c)
{
	return c == '-' || (c >= 0x2010 && c <= 0x2013) || c == 0x2212 ||
	    c == 0xff0d;
}

/* Parentheses, also fullwidth ones. */
static bool
is_open(long c)
{
	return c == '(' || c == 0xff08;
}

static bool
is_close(long c)
{
	return c == ')' || c == 0xff09;
}

static int
lower_ascii(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c;
}

/*
 * The bytes [s, e) as a word to look up, lowercased (ASCII, Latin-1,
 * Cyrillic), into w (WORD_MAX bytes): the last WORD_MAX bytes of a longer
 * word, from a character's start. Returns its length.
 */
static size_t
word_copy(const unsigned char *p, size_t s, size_t e, char *w)
{
	size_t	 k, n = 0;

	if (e - s > WORD_MAX) {
		s = e - WORD_MAX;
		while (s < e && (p[s] & 0xc0) == 0x80)
			s++;
	}
	for (k = s; k < e; k++, n++) {
		unsigned char b = p[k];

		if (k + 1 < e && b == 0xc3 && p[k + 1] >= 0x80 &&
		    p[k + 1] <= 0x9e && p[k + 1] != 0x97) {
			w[n++] = (char)b;
			w[n] = (char)(p[++k] + 0x20);
		} else if (k + 1 < e && b == 0xd0 && p[k + 1] >= 0x90 &&
		    p[k + 1] <= 0xaf) {
			w[n++] = (char)(p[k + 1] < 0xa0 ? 0xd0 : 0xd1);
			w[n] = (char)(p[k + 1] < 0xa0 ? p[k + 1] + 0x20 :
			    p[k + 1] - 0x20);
			k++;
		} else
			w[n] = (char)lower_ascii(b);
	}
	return n;
}

/*
 * Where stem s matches the word w (wl bytes) by the rules above
 * clean_words: the end of the rightmost match plus one, or 0. anchored:
 * only at the word's start, whatever the script.
 */
static size_t
stem_match(const char *w, size_t wl, const char *s, bool anchored)
{
	size_t	 sl, k;

	/* Most words start with none of the stems: say so cheaply. */
	if ((unsigned char)s[0] >= 0xd8 && !anchored) {
		if (memchr(w, s[0], wl) == NULL || (sl = strlen(s)) > wl)
			return 0;
		for (k = wl - sl + 1; k-- > 0;)
			if (memcmp(w + k, s, sl) == 0)
				return k + sl + 1;
		return 0;
	}
	if (wl == 0 || w[0] != s[0] || (sl = strlen(s)) > wl ||
	    memcmp(w, s, sl) != 0)
		return 0;
	if ((unsigned char)s[0] < 0x80 && sl <= 3 && sl != wl)
		return 0;
	return sl + 1;
}

static bool
in_list(const char *w, size_t wl, const char *const *list, size_t n,
    bool anchored)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (stem_match(w, wl, list[i], anchored))
			return true;
	return false;
}

/* What a word before a number says: the list whose match ends last. */
static enum verdict
word_verdict(const char *w, size_t wl)
{
	enum verdict	 v = V_NONE;
	size_t		 i, e, best = 0;
	bool		 high = false;

	/* Stems of the scripts without capitals are only looked for there. */
	for (i = 0; i < wl && !high; i++)
		high = (unsigned char)w[i] >= 0xd8;
	for (i = 0; i < NELEM(clean_words); i++)
		if ((high || (unsigned char)clean_words[i][0] < 0xd8) &&
		    (e = stem_match(w, wl, clean_words[i], false)) > best) {
			best = e;
			v = V_CLEAN;
		}
	for (i = 0; i < NELEM(phone_words); i++)
		if ((high || (unsigned char)phone_words[i][0] < 0xd8) &&
		    (e = stem_match(w, wl, phone_words[i], false)) > best) {
			best = e;
			v = V_PHONE;
		}
	return v;
}

/* Marks between a number and the words before it, and between those words. */
static bool
is_gap(long c)
{
	return is_space(c) || c == '\t' || c == ':' || c == '#' ||
	    c == 0xb0 || c == 0xba || c == 0x2116 || c == '"' || c == '\'' ||
	    c == '(' || c == ')' || c == '-' || c == '.' || c == '*' ||
	    c == '=' || c == 0xff1a || c == 0xff03 || c == 0x3000;
}

/*
 * What the words before start say the number there is: up to
 * CONTEXT_WORDS of them, in the same sentence, none before from (where
 * the hit before ends). A '#' or a postcode mark '〒' right before it:
 * not a phone.
 */
static enum verdict
context(const unsigned char *p, size_t from, size_t start)
{
	size_t		 lo, i = start, st, ws, we, wl, nchars, letters;
	size_t		 words = 0;
	char		 w[WORD_MAX];
	enum verdict	 v;
	bool		 stop_dot, newline, hash = false;
	long		 c;

	lo = start - from > CONTEXT_BYTES ? start - CONTEXT_BYTES : from;
	for (;;) {
		stop_dot = newline = false;
		for (;;) {
			c = cp_before(p, lo, i, &st);
			if (c == 0x3012 && words == 0)
				return V_CLEAN;
			if ((c == '#' || c == 0xff03) && words == 0)
				hash = true;
			if (c == '\n' && words == 0 && !newline)
				newline = true;
			else if (!is_gap(c))
				break;
			if (c == '.' && p[st + 1] == ' ')
				stop_dot = true;
			i = st;
		}
		/*
		 * Codes with digits in them ("1Z", "GB29") are words too, but
		 * a number ends the context.
		 */
		we = i;
		nchars = letters = 0;
		while ((c = cp_before(p, lo, i, &st)) >= 0 && (is_wordc(c) ||
		    (c >= '0' && c <= '9'))) {
			i = st;
			nchars++;
			letters += is_wordc(c);
		}
		if (letters == 0)
			return hash && words == 0 ? V_CLEAN : V_NONE;
		ws = i;
		wl = word_copy(p, ws, we, w);
		v = word_verdict(w, wl);
		/* "order #123456789", but "my # 415 555 0100" */
		if (hash && words == 0)
			return v == V_PHONE || in_list(w, wl, possessives,
			    NELEM(possessives), true) ? V_PHONE : V_CLEAN;
		/*
		 * ". " after a longer word ends a sentence; after a short one
		 * or one ending in "nr" ("Tel.", "Bestellnr.") it abbreviates.
		 */
		if (stop_dot && nchars >= 4 && !(wl >= 2 &&
		    memcmp(w + wl - 2, "nr", 2) == 0))
			return V_NONE;
		if (v != V_NONE)
			return v;
		if (++words == CONTEXT_WORDS)
			return V_NONE;
	}
}

/*
 * Whether a phone word comes in the few characters after a number ending
 * at end, written in a script without spaces: Chinese and Japanese put
 * the verb last ("注文の件は090-1234-5678まで電話ください").
 */
static bool
cue_after(const unsigned char *p, size_t n, size_t end)
{
	char	 w[WORD_MAX];
	size_t	 k = end, l, chars = 0;
	long	 c;

	while (chars < 8 && (c = cp_at(p, n, k, &l)) >= 0x3040 && is_wordc(c)) {
		k += l;
		chars++;
	}
	return k > end && in_list(w, word_copy(p, end, k, w), phone_words,
	    NELEM(phone_words), false);
}

/*
 * Whether money or a count follows a number that ends at end: a currency
 * sign, '%', or a word of after_words, after at most one space.
 */
static bool
followed_by_unit(const unsigned char *p, size_t n, size_t end)
{
	char	 w[WORD_MAX];
	size_t	 l, k = end, ws;
	long	 c;

	c = cp_at(p, n, k, &l);
	if (is_space(c)) {
		k += l;
		c = cp_at(p, n, k, &l);
	}
	if (is_currency(c) || c == '%' || c == 0x2030)
		return true;
	ws = k;
	while (is_wordc(c) && k - ws < WORD_MAX) {
		k += l;
		c = cp_at(p, n, k, &l);
		/* CJK counters come first, right after the number. */
		if (p[ws] >= 0xe3)
			break;
	}
	if (k == ws)
		return false;
	return in_list(w, word_copy(p, ws, k, w), after_words,
	    NELEM(after_words), true);
}

/* A currency sign before start, after at most one space, not before from. */
static bool
preceded_by_currency(const unsigned char *p, size_t from, size_t start)
{
	size_t	 st;
	long	 c;

	c = cp_before(p, from, start, &st);
	if (is_space(c))
		c = cp_before(p, from, st, &st);
	return is_currency(c);
}

/*
 * The separator at p[j] after a digit group and before the next (which
 * must follow it): its length and kind, or 0. *open says whether a '('
 * is waiting for its ')', and is updated when the separator is taken.
 */
static size_t
sep_at(const unsigned char *p, size_t n, size_t j, bool *open, enum sep *kind)
{
	size_t	 k = j, l, dl;
	bool	 o = *open;
	long	 c;

	c = cp_at(p, n, k, &l);
	if (is_close(c) && o) {
		k += l;
		o = false;
		c = cp_at(p, n, k, &l);
		if (c == ' ' || c == '-' || c == '.')
			k += l;
		*kind = SEP_PAREN;
	} else if (is_space(c)) {
		k += l;
		c = cp_at(p, n, k, &l);
		if (is_open(c) && !o) {
			k += l;
			o = true;
			*kind = SEP_PAREN;
		} else if (is_dash(c) || c == '/') {
			k += l;
			if (!is_space(cp_at(p, n, k, &l)))
				return 0;
			k += l;
			*kind = SEP_WIDE;
		} else
			*kind = SEP_SPACE;
	} else if (is_open(c) && !o) {
		k += l;
		o = true;
		*kind = SEP_PAREN;
	} else if (c == '.' || c == '/' || is_dash(c)) {
		k += l;
		*kind = c == '.' ? SEP_DOT : c == '/' ? SEP_SLASH : SEP_DASH;
	} else
		return 0;
	if (digit_at(p, n, k, &dl) < 0)
		return 0;
	*open = o;
	return k - j;
}

/*
 * Reads the phone candidate that starts at p[i] (a digit, or a '+' or '('
 * before one) into c. Returns false when there is none.
 */
static bool
cand_read(const unsigned char *p, size_t n, size_t i, struct cand *c)
{
	struct group	*g;
	size_t		 j = i, l, k, digits = 0;
	enum sep	 kind = SEP_NONE;
	bool		 open = false;
	long		 ch;
	int		 d;

	c->start = i;
	c->n = 0;
	ch = cp_at(p, n, j, &l);
	if (ch == '+' || ch == 0xff0b) {
		j += l;
		ch = cp_at(p, n, j, &l);
	}
	if (is_open(ch)) {
		j += l;
		open = true;
	}
	if (digit_at(p, n, j, &l) < 0)
		return false;
	for (;;) {
		g = &c->g[c->n++];
		g->off = j;
		g->nd = 0;
		g->val = 0;
		g->sep = kind;
		g->first = digit_at(p, n, j, &l);
		while ((d = digit_at(p, n, j, &l)) >= 0) {
			if (g->nd++ < 9)
				g->val = g->val * 10 + (unsigned long)d;
			j += l;
		}
		g->end = j;
		digits += g->nd;
		if (c->n == GROUPS_MAX || (k = sep_at(p, n, j, &open,
		    &kind)) == 0)
			break;
		/* A full number, then " - " or " / ": another one. */
		if (kind == SEP_WIDE && digits >= PHONE_MIN)
			break;
		j += k;
	}
	c->end = j;
	/* Still open, no other '(' after the first group: the leading one. */
	for (k = 1; k < c->n && c->g[k].sep != SEP_PAREN; k++)
		;
	if (open && k == c->n && is_open(cp_before(p, i, c->g[0].off, &k))) {
		if (is_close(cp_at(p, n, j, &l)))
			c->end = j + l;
		else
			c->start = c->g[0].off;
	}
	return true;
}

static enum sep
uniform_sep(const struct cand *c, size_t a, size_t b)
{
	size_t	 i;

	for (i = a + 2; i < b; i++)
		if (c->g[i].sep != c->g[a + 1].sep)
			return SEP_NONE;
	return b - a >= 2 ? c->g[a + 1].sep : SEP_NONE;
}

/* Whether the digits of g are all d (up to its first nine). */
static bool
repeated(const struct group *g, int d)
{
	unsigned long	 v = g->val;
	unsigned	 i;

	for (i = 0; i < g->nd && i < 9; i++, v /= 10)
		if (v % 10 != (unsigned long)d)
			return false;
	return true;
}

static bool
is_year(const struct group *g)
{
	return g->nd == 4 && g->val >= 1900 && g->val <= 2099;
}

/*
 * Shapes of runs of digits that are dates, times, amounts, addresses;
 * groups [a, b) of c, the text before from not looked at.
 */
static bool
shape_not_phone(const unsigned char *p, size_t from, const struct cand *c,
    size_t a, size_t b, bool prefixed)
{
	const struct group	*g = c->g + a;
	size_t			 i, ng = b - a;
	enum sep		 s = uniform_sep(c, a, b);

	if (ng == 3 && (s == SEP_DOT || s == SEP_DASH || s == SEP_SLASH ||
	    s == SEP_SPACE)) {
		if (is_year(&g[0]) && g[1].nd <= 2 && g[2].nd <= 2 &&
		    g[1].val >= 1 && g[1].val <= 12 && g[2].val >= 1 &&
		    g[2].val <= 31)
			return true;
		if (is_year(&g[2]) && g[0].nd <= 2 && g[1].nd <= 2 &&
		    g[0].val >= 1 && g[0].val <= 31 && g[1].val >= 1 &&
		    g[1].val <= 31 && (g[0].val <= 12 || g[1].val <= 12))
			return true;
	}
	/* 10.30-11.45 */
	if (ng == 4 && g[1].sep == SEP_DOT && g[3].sep == SEP_DOT &&
	    (g[2].sep == SEP_DASH || g[2].sep == SEP_WIDE) &&
	    g[0].nd <= 2 && g[2].nd <= 2 && g[1].nd == 2 && g[3].nd == 2 &&
	    g[0].val <= 24 && g[2].val <= 24 && g[1].val <= 59 &&
	    g[3].val <= 59)
		return true;
	/* 1.250.000, 1 250 000, 12 500 000 (but not 612 345 678) */
	if (!prefixed && ng >= 2 && g[0].nd <= 3 && g[0].first > 0 &&
	    (s == SEP_DOT || (s == SEP_SPACE && g[0].nd <= 2))) {
		for (i = 1; i < ng && g[i].nd == 3; i++)
			;
		if (i == ng)
			return true;
	}
	if (ng == 4 && s == SEP_DOT) {
		for (i = 0; i < ng && g[i].nd <= 3 && g[i].val <= 255; i++)
			;
		if (i == ng)
			return true;
	}
	if (ng >= 2) {
		for (i = 0; i < ng && is_year(&g[i]); i++)
			;
		if (i == ng)
			return true;
	}
	if (ng == 2 && s == SEP_DASH && g[0].nd == 5 && g[1].nd == 3)
		return true;				/* CEP */
	if (ng == 2 && s == SEP_DOT && g[1].nd >= 5)
		return true;				/* 37.4220936 */
	/* 120.0.6099.109: a version */
	for (i = 1; ng >= 3 && s == SEP_DOT && i < ng && g[i].nd > 1; i++)
		;
	if (ng >= 3 && s == SEP_DOT && i < ng)
		return true;
	/*
	 * 1 2 3 4 5 6 7, 36 38 40 42 44 46, 100 200 300 400: counting, not
	 * a number (but 01 23 45 67 89 is one).
	 */
	if (ng >= 4 && s != SEP_NONE && g[1].val > g[0].val &&
	    (g[1].val - g[0].val <= 5 || g[0].nd >= 3)) {
		for (i = 2; i < ng && g[i].nd == g[1].nd &&
		    g[i].val - g[i - 1].val == g[1].val - g[0].val; i++)
			;
		if (i == ng)
			return true;
	}
	/* 5 12 23 34 45 56: numbers in order, not all of one length. */
	for (i = 1; ng >= 4 && i < ng && g[i].nd <= 2 && g[0].nd <= 2 &&
	    g[i].val > g[i - 1].val && g[i].first > 0; i++)
		;
	if (ng >= 4 && i == ng && g[0].nd != g[ng - 1].nd)
		return true;
	/* 1500000: a round amount; 11111111: a key held down. */
	if (ng == 1 && !prefixed && g[0].first > 0 && g[0].nd <= 9 &&
	    g[0].val % 100000 == 0)
		return true;
	for (i = 0; i < ng && repeated(&g[i], g[0].first); i++)
		;
	if (i == ng)
		return true;
	if (ng == 2 && s == SEP_DASH && g[0].nd == 5 && g[1].nd == 4 &&
	    g[0].off >= from + 3 && p[g[0].off - 1] == ' ' &&
	    p[g[0].off - 2] >= 'A' && p[g[0].off - 2] <= 'Z' &&
	    p[g[0].off - 3] >= 'A' && p[g[0].off - 3] <= 'Z' &&
	    (g[0].off == from + 3 || !is_glue(p[g[0].off - 4])))
		return true;				/* CA 94043-1351 */
	if (!prefixed && ng == 2 && s == SEP_SPACE && g[0].nd <= 3 &&
	    g[0].first > 0 && g[1].nd == 5)
		return true;				/* 12 10115 */
	return false;
}

/* "ext 12", " x12", "extension 12" after a number ending at end: its end. */
static size_t
extension(const unsigned char *p, size_t n, size_t end)
{
	static const char *const words[] = { "extension", "ext", "x" };
	size_t	 k = end, i, wl, l, nd = 0;
	long	 c;

	if (k < n && p[k] == ' ')
		k++;
	for (i = 0; i < NELEM(words); i++) {
		wl = strlen(words[i]);
		if (n - k >= wl && strncasecmp((const char *)p + k, words[i],
		    wl) == 0)
			break;
	}
	if (i == NELEM(words))
		return end;
	k += wl;
	if (k < n && p[k] == '.')
		k++;
	if (k < n && p[k] == ' ')
		k++;
	while (k < n && p[k] >= '0' && p[k] <= '9' && nd < 7) {
		k++;
		nd++;
	}
	c = cp_at(p, n, k, &l);
	if (nd == 0 || nd > 6 || is_wordc(c) || digit_of(c) >= 0)
		return end;
	return k;
}

/*
 * Whether c, or c without a group at either end that belongs to a time
 * or a word, is a phone number; if so its bytes in [*hs, *he). Nothing
 * before from (where the hit before ends) or from n on (where the next
 * begins) is looked at: a hit's text, redacted, must not change a verdict.
 */
static bool
phone_judge(const unsigned char *p, size_t n, size_t from,
    const struct cand *c, size_t *hs, size_t *he)
{
	size_t	 a = 0, b = c->n, i, digits = 0, s, e, st, l;
	bool	 prefixed;
	long	 ch;

	/* The hour before or the minutes after a time: not part of it. */
	ch = cp_before(p, from, c->g[a].off, &st);
	if (c->start == c->g[a].off && (ch == ':' || ch == 'h' ||
	    ch == 'H') && digit_of(cp_before(p, from, st, &st)) >= 0)
		a++;
	if (b > a && c->g[b - 1].end < n && (p[c->g[b - 1].end] == ':' ||
	    p[c->g[b - 1].end] == 'h' || p[c->g[b - 1].end] == 'H') &&
	    digit_at(p, n, c->g[b - 1].end + 1, &l) >= 0)
		b--;
	/* "415 555 0100 5pm": the last short group belongs to a word. */
	if (b - a > 1 && c->g[b - 1].sep == SEP_SPACE && c->g[b - 1].nd <= 2 &&
	    is_glue(cp_at(p, n, c->g[b - 1].end, &l)))
		b--;
	if (b <= a)
		return false;
	for (i = a; i < b; i++)
		digits += c->g[i].nd;
	if (digits < PHONE_MIN || digits > PHONE_MAX)
		return false;
	s = a == 0 ? c->start : c->g[a].off;
	e = b == c->n ? c->end : c->g[b - 1].end;
	prefixed = s < c->g[a].off;
	e = extension(p, n, e);

	/*
	 * A letter before it, or a letter and a '-' ("ABC-1234567"); the
	 * decimals of a number (3.1415926, 1,2345678); a negative number.
	 */
	ch = cp_before(p, from, s, &st);
	if (is_glue(ch) || ((is_dash(ch) || ch == '/') &&
	    is_glue(cp_before(p, from, st, &st))))
		return false;
	if ((ch == '.' || ch == ',') && digit_of(cp_before(p, from, st,
	    &st)) >= 0)
		return false;
	ch = cp_before(p, from, s, &st);
	if (is_dash(ch) && (((ch = cp_before(p, from, st, &st)) == -2 &&
	    st == 0) || is_space(ch) || is_open(ch) || ch == ','))
		return false;
	if (is_glue(cp_at(p, n, e, &l)) || digit_of(cp_at(p, n, e, &l)) >= 0)
		return false;
	if (preceded_by_currency(p, from, s) || followed_by_unit(p, n, e))
		return false;
	if (shape_not_phone(p, from, c, a, b, prefixed))
		return false;
	if (context(p, from, s) == V_CLEAN && !cue_after(p, n, e))
		return false;
	*hs = s;
	*he = e;
	return true;
}

/* Case-insensitive ASCII w at p[k]: its length, or 0. */
static size_t
word_at(const unsigned char *p, size_t n, size_t k, const char *w)
{
	size_t	 wl = strlen(w), i;

	if (n - k < wl)
		return 0;
	for (i = 0; i < wl; i++)
		if (lower_ascii(p[k + i]) != (unsigned char)w[i])
			return 0;
	return wl;
}

static bool
is_alnum(unsigned char b)
{
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') ||
	    (b >= 'A' && b <= 'Z');
}

/*
 * "(w)", "[w]", "{w}", "<w>" (optionally with a space on each side) or
 * " w " at p[k], for w an ASCII word or a UTF-8 one: its length, or 0.
 */
static size_t
spelled_at(const unsigned char *p, size_t n, size_t k, const char *w)
{
	static const char	 open[] = "([{<", close[] = ")]}>";
	const char		*o;
	size_t			 j = k, wl;

	if (j < n && p[j] == ' ')
		j++;
	if (j < n && p[j] != 0 && (o = strchr(open, p[j])) != NULL) {
		if ((wl = word_at(p, n, j + 1, w)) == 0 ||
		    j + 1 + wl >= n || p[j + 1 + wl] != close[o - open])
			return 0;
		j += wl + 2;
		if (j < n && p[j] == ' ')
			j++;
		return j - k;
	}
	if (j == k || (wl = word_at(p, n, j, w)) == 0 || j + wl >= n ||
	    p[j + wl] != ' ')
		return 0;
	return j + wl + 1 - k;
}

/* A dot of a domain at p[k], '.' or spelled: its length, or 0. */
static size_t
dot_at(const unsigned char *p, size_t n, size_t k, bool *spelled)
{
	size_t	 i, l;

	*spelled = false;
	if (k < n && p[k] == '.')
		return 1;
	for (i = 0; i < NELEM(dot_words); i++)
		if ((l = spelled_at(p, n, k, dot_words[i])) != 0) {
			*spelled = true;
			return l;
		}
	return 0;
}

/*
 * A spelled dot that ends right before p[i], " dot " or "(dot)" and the
 * like, not starting before from: its length, or 0.
 */
static size_t
dot_before(const unsigned char *p, size_t from, size_t i)
{
	size_t	 j, k, l;
	bool	 spelled;

	for (j = 1; j <= 10 && j <= i - from; j++) {
		k = i - j;
		if ((l = dot_at(p, i, k, &spelled)) == j && spelled)
			return j;
	}
	return 0;
}

static bool
tld_ok(const unsigned char *p, size_t s, size_t e, bool spelled)
{
	char	 w[WORD_MAX];
	size_t	 i;

	if (e - s < 2 || e - s > 24)
		return false;
	for (i = s; i < e; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' &&
		    p[i] <= 'Z')))
			return false;
	return !spelled || in_list(w, word_copy(p, s, e, w), common_tlds,
	    NELEM(common_tlds), true);
}

/*
 * The domain that starts at p[k]: its end in *end, whether a dot of it is
 * spelled, and whether its first label is a webmail's. Returns false when
 * there is none (two labels at least, the last one a TLD).
 */
static bool
domain_read(const unsigned char *p, size_t n, size_t k, size_t *end,
    bool *spelled, bool *mail)
{
	size_t	 ls[LABELS_MAX], le[LABELS_MAX], nl = 0, d, i;
	bool	 sp[LABELS_MAX], dsp = false;
	char	 w[WORD_MAX];

	while (nl < LABELS_MAX) {
		ls[nl] = k;
		sp[nl] = dsp;
		while (k < n && (is_alnum(p[k]) || p[k] == '-')) {
			if (k - ls[0] == DOMAIN_MAX)
				return false;
			k++;
		}
		if (k == ls[nl] || p[ls[nl]] == '-')
			break;
		le[nl++] = k;
		if ((d = dot_at(p, n, k, &dsp)) == 0 || k + d >= n ||
		    !is_alnum(p[k + d]))
			break;
		k += d;
	}
	while (nl >= 2 && !tld_ok(p, ls[nl - 1], le[nl - 1], sp[nl - 1]))
		nl--;
	if (nl < 2)
		return false;
	*end = le[nl - 1];
	*spelled = false;
	for (i = 1; i < nl; i++)
		*spelled |= sp[i];
	*mail = in_list(w, word_copy(p, ls[0], le[0], w), webmail,
	    NELEM(webmail), true);
	return true;
}

static bool
is_localc(unsigned char b)
{
	return is_alnum(b) || b == '.' || b == '_' || b == '%' || b == '+' ||
	    b == '-' || b == '\'';
}

/*
 * The '@' or its spelled form at p[k]: its length (with the spaces round a
 * spelled one, or round '@'), and whether it is weak (a bare " at ",
 * believed only with more). 0: none.
 */
static size_t
at_at(const unsigned char *p, size_t n, size_t k, bool *weak)
{
	size_t	 i, l;

	*weak = false;
	if (p[k] == '@')
		l = 1;
	else if (p[k] == 0xef && n - k > 2 && p[k + 1] == 0xbc &&
	    p[k + 2] == 0xa0)
		l = 3;
	else if (p[k] == ' ' && n - k > 1 && (p[k + 1] == '@' ||
	    p[k + 1] == 0xef))
		return 0;	/* the '@' itself is the token */
	else {
		if ((l = spelled_at(p, n, k, "at")) != 0) {
			*weak = p[k] == ' ' && p[k + 1] != '(' &&
			    p[k + 1] != '[' && p[k + 1] != '{' &&
			    p[k + 1] != '<';
			return l;
		}
		for (i = 0; i < NELEM(at_words); i++)
			if ((l = spelled_at(p, n, k, at_words[i])) != 0)
				return l;
		return 0;
	}
	return l;
}

/*
 * The first e-mail address whose local part starts at from or after:
 * [*off, *end). Returns false when there is none.
 */
static bool
email_find(const unsigned char *p, size_t n, size_t from, size_t *off,
    size_t *end)
{
	size_t	 k, tl, le, ls, ds, de, d;
	bool	 weak, spelled, mail;

	for (k = from; k < n; k++) {
		if (p[k] != '@' && p[k] != 0xef && p[k] != ' ' &&
		    p[k] != '(' && p[k] != '[' && p[k] != '{' && p[k] != '<')
			continue;
		if ((tl = at_at(p, n, k, &weak)) == 0)
			continue;
		le = k;
		if (p[k] != ' ' && le > from && p[le - 1] == ' ')
			le--;	/* "ana @ example.com" */
		ls = le;
		/*
		 * The whole run, however long: a part of it left behind, or
		 * a number in it taken for a phone, would make what remains
		 * after redaction read differently.
		 */
		while (ls > from && is_localc(p[ls - 1]))
			ls--;
		while (ls < le && !is_alnum(p[ls]))
			ls++;
		if (ls == le || (p[k] == ' ' && !is_alnum(p[le - 1])))
			continue;
		/* "mike dot t at ...": spelled dots in the local part too. */
		while (p[k] != '@' && p[k] != 0xef && ls > from &&
		    (d = dot_before(p, from, ls)) != 0 && ls - d > from &&
		    is_alnum(p[ls - d - 1])) {
			ls -= d;
			while (ls > from && is_localc(p[ls - 1]))
				ls--;
			while (!is_alnum(p[ls]))
				ls++;
		}
		ds = k + tl;
		if (ds < n && p[ds] == ' ' && p[k] != ' ')
			ds++;
		if (!domain_read(p, n, ds, &de, &spelled, &mail))
			continue;
		if (weak && !spelled && !mail)
			continue;
		*off = ls;
		*end = de;
		return true;
	}
	return false;
}

/* The next hit at s->pos or after, into *h. Returns false when none is left. */
static bool
scan_next(struct scanner *s, struct filter_hit *h)
{
	struct cand	 c;
	const unsigned char *p = s->p;
	size_t		 limit, l, hs, he;
	long		 ch;

	if (s->email == 0)
		s->email = email_find(p, s->n, s->pos, &s->eoff, &s->eend) ?
		    1 : 2;
	limit = s->email == 1 ? s->eoff : s->n;
	while (s->pos < limit) {
		ch = cp_at(p, s->n, s->pos, &l);
		if ((digit_of(ch) < 0 && ch != '+' && ch != 0xff0b &&
		    !is_open(ch)) || !cand_read(p, limit, s->pos, &c)) {
			s->pos += l;
			continue;
		}
		s->pos = c.end;
		if (!phone_judge(p, limit, s->last, &c, &hs, &he))
			continue;
		h->off = hs;
		h->len = he - hs;
		h->kind = FILTER_PHONE;
		s->pos = s->last = he;
		return true;
	}
	if (s->email != 1)
		return false;
	h->off = s->eoff;
	h->len = s->eend - s->eoff;
	h->kind = FILTER_EMAIL;
	s->pos = s->last = s->eend;
	s->email = 0;
	return true;
}

size_t
filter_scan(const char *text, size_t len, struct filter_hit *hits, size_t max)
{
	struct scanner		 s;
	struct filter_hit	 h;
	size_t			 n = 0;

	memset(&s, 0, sizeof(s));
	s.p = (const unsigned char *)text;
	s.n = text == NULL ? 0 : len;
	while (scan_next(&s, &h)) {
		if (n < max)
			hits[n] = h;
		n++;
	}
	return n;
}

enum err
filter_redact(const char *text, size_t len, const char *mark,
    struct buf *out, size_t *nhits)
{
	struct scanner		 s;
	struct filter_hit	 h;
	size_t			 n = 0, at = 0, was = out->len;
	enum err		 e = ERR_OK;

	if (mark == NULL)
		mark = FILTER_MARK;
	memset(&s, 0, sizeof(s));
	s.p = (const unsigned char *)text;
	s.n = text == NULL ? 0 : len;
	while (scan_next(&s, &h)) {
		if ((e = buf_append(out, text + at, h.off - at)) != ERR_OK ||
		    (e = buf_puts(out, mark)) != ERR_OK)
			goto fail;
		at = h.off + h.len;
		n++;
	}
	if ((e = buf_append(out, text == NULL ? "" : text + at, s.n - at)) !=
	    ERR_OK)
		goto fail;
	if (nhits != NULL)
		*nhits = n;
	return ERR_OK;
fail:
	out->len = was;
	if (out->data != NULL)
		out->data[was] = '\0';
	return e;
}
