# The Debian package (scripts/package.sh → callscribe_VERSION_amd64.deb): the binary, the systemd
# units, /etc/callscribe/callscribe.env as a conffile, the demo call for `serve --sandbox`, and
# maintainer scripts that make the callscribe system user and /var/lib/callscribe (deploy/debian/).
# Depends: what dpkg-shlibdeps finds the binary linked against, the PocketSphinx model, adduser.
include(GNUInstallDirs)
set(package_component callscribe)
install(TARGETS callscribe RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT ${package_component})
install(FILES deploy/callscribe-serve.service deploy/callscribe-worker@.service
        DESTINATION /lib/systemd/system COMPONENT ${package_component})
install(FILES deploy/callscribe.env DESTINATION /etc/callscribe COMPONENT ${package_component})
install(FILES samples/demo-call.mp3 DESTINATION ${CMAKE_INSTALL_DATADIR}/callscribe
        COMPONENT ${package_component})
install(FILES deploy/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR}
        COMPONENT ${package_component})
# Debian wants the changelog compressed, without a timestamp (gzip -n) so the package is
# reproducible.
set(changelog_gz ${PROJECT_BINARY_DIR}/package/changelog.gz)
add_custom_command(OUTPUT ${changelog_gz}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/package
  COMMAND gzip -9nc ${PROJECT_SOURCE_DIR}/deploy/debian/changelog > ${changelog_gz}
  DEPENDS ${PROJECT_SOURCE_DIR}/deploy/debian/changelog VERBATIM)
add_custom_target(package_changelog DEPENDS ${changelog_gz})
add_dependencies(callscribe package_changelog)
install(FILES ${changelog_gz} DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT ${package_component})

set(CPACK_GENERATOR DEB)
# Only callscribe's own files: whisper.cpp's install rules (its headers and libraries) stay out.
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};callscribe;${package_component};/")
set(CPACK_PACKAGE_NAME callscribe)
set(CPACK_PACKAGE_VENDOR "The callscribe authors")
# Whoever publishes the package names themselves here.
set(CALLSCRIBE_PACKAGE_MAINTAINER "callscribe maintainers <maintainers@callscribe.invalid>"
    CACHE STRING "The Debian package's Maintainer field")
set(CPACK_PACKAGE_CONTACT "${CALLSCRIBE_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "offline transcripts of Twilio call recordings")
set(CPACK_PACKAGE_DESCRIPTION
    "callscribe waits until Twilio has finished processing a call's recording,\n"
    "downloads it, transcribes it offline (PocketSphinx or whisper.cpp, built\n"
    "in), stores the transcript on the call log and delivers it by signed\n"
    "webhook. It runs as one front end (HTTP API, Twilio's callbacks, a web\n"
    "page) and any number of workers over SQLite or PostgreSQL.")
string(JOIN "" CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "pocketsphinx-en-us, adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_FILE_NAME "callscribe_${PROJECT_VERSION}_amd64")
include(CPack)
