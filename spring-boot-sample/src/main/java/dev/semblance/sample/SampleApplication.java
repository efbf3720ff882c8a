package dev.semblance.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot service on {@code semblance-spring-boot-starter}: {@link PeopleController} enrols
 * and recognises; the starter provides the encoder and the gallery, {@code /actuator/health} and
 * the meters.
 *
 * <p><b>Thread safety.</b> Not applicable: the entry point only.
 */
@SpringBootApplication
public class SampleApplication {
  public static void main(String[] args) {
    SpringApplication.run(SampleApplication.class, args);
  }
}
