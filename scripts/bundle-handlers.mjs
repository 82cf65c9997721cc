console.log('no handlers yet')
