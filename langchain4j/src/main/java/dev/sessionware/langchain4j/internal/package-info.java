/**
 * Implementation of the LangChain4j adapter that LangChain4j finds through its service loader; not
 * part of the API, and free to change in any release.
 */
package dev.sessionware.langchain4j.internal;
