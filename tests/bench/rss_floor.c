/*
 * rss_floor: the resident memory of a process that does nothing but load
 * libcurl (with every library this system's libcurl links) and initialise
 * it, as the programs do first. make bench prints it beside the programs'
 * own figure: no worker can be smaller than this with the same libcurl.
 *
 *	cc -o rss_floor rss_floor.c -lcurl && ./rss_floor
 *	VmRSS 9616 kB RssAnon 1328 kB RssFile 8288 kB
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

int
main(void)
{
	char	 line[256];
	FILE	*f;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return 1;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long kb;
		char key[32];

		if (sscanf(line, "%31[^:]: %lu kB", key, &kb) == 2 &&
		    (strcmp(key, "VmRSS") == 0 || strcmp(key, "RssAnon") == 0 ||
		    strcmp(key, "RssFile") == 0))
			printf("%s %lu kB ", key, kb);
	}
	printf("\n");
	fclose(f);
	curl_global_cleanup();
	return 0;
}
