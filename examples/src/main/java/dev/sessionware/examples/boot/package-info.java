/** The Spring Boot example: a {@code ChatClient} app with the Sessionware starter and no glue code. */
package dev.sessionware.examples.boot;
