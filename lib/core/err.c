#include "core/err.h"

const char *
err_str(enum err e)
{
	switch (e) {
	case ERR_OK:		return "success";
	case ERR_NOMEM:		return "out of memory";
	case ERR_INVAL:		return "invalid input";
	case ERR_TOOBIG:	return "input over its size limit";
	case ERR_PARSE:		return "malformed input";
	case ERR_SYS:		return "system error";
	case ERR_CONFIG:	return "invalid configuration";
	case ERR_TWILIO:	return "Twilio returned an error";
	case ERR_TRANSPORT:	return "Twilio could not be reached";
	case ERR_TIMEOUT:	return "deadline exceeded";
	case ERR_NOTFOUND:	return "not found";
	case ERR_POOL:		return "no proxy number available";
	case ERR_DENIED:	return "not signed or not authorised";
	case ERR_METHOD:	return "method not allowed";
	}
	return "unknown error";
}
